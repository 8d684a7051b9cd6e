import { createHash } from 'node:crypto';
import { parseServerDefinition, type ProtocolChoice, type ServerDefinition } from '../core/mcp/serverDefinition';
import type { OAuthServerOptions } from '../core/oauth/oauthEngine';
import { UsageError, type CliOptions, type Target } from './args';

/**
 * A stable server id for a URL: a readable slug of the host plus a hash of the whole URL, so grants
 * stored under it (with `--store file:`) are found again by the next run with the same URL.
 */
export function serverIdFor(target: Target): string {
  const text = target.kind === 'http' ? target.url.href : [target.command, ...target.args].join('\u0000');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const slug =
    target.kind === 'http'
      ? `${hostSlug(target.url.hostname)}-${target.url.port || target.url.protocol.replace(':', '')}`
      : 'stdio';
  return `${slug.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 40)}-${hash}`;
}

/** A host name as an id part that starts with a letter or digit: `[::1]` becomes `ipv6-1` (an id may not start with "-"). */
function hostSlug(hostname: string): string {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (!host.includes(':')) return host;
  return `ipv6-${host.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.replace(/-$/, '');
}

/** Builds and validates (through the MCP area's parser) the definition of the server named on the command line. */
export function definitionFor(
  target: Target,
  options: CliOptions,
  protocol: ProtocolChoice | undefined,
): ServerDefinition {
  const id = serverIdFor(target);
  if (target.kind === 'http') {
    return parseServerDefinition({ id, name: target.url.host, transport: 'http', url: target.url.href, protocol });
  }
  return parseServerDefinition({
    id,
    name: target.command,
    transport: 'stdio',
    command: target.command,
    args: target.args,
    secret: { mode: options.secretMode, envVar: options.secretEnvVar },
    ...(protocol !== undefined ? { protocol } : {}),
    ...(Object.keys(options.env).length > 0 ? { env: options.env } : {}),
  });
}

/** OAuth options from the command line. The client secret comes from the environment variable the user named. */
export function oauthOptionsFrom(options: CliOptions, env: NodeJS.ProcessEnv = process.env): OAuthServerOptions {
  const o: OAuthServerOptions = {};
  if (options.clientId) o.clientId = options.clientId;
  if (options.clientSecretEnv) {
    const secret = env[options.clientSecretEnv];
    if (!secret)
      throw new UsageError(`--client-secret-env: environment variable ${options.clientSecretEnv} is not set`);
    o.clientSecret = secret;
  }
  if (options.scopes.length > 0) o.scopes = [...options.scopes];
  o.dpop = options.dpop === 'auto' ? 'auto' : options.dpop === 'on';
  if (options.pkce) o.pkce = options.pkce;
  if (options.resourceParameter) o.resourceParameter = options.resourceParameter;
  if (options.grant) o.grant = options.grant;
  if (options.assertionEnv) {
    const assertion = env[options.assertionEnv];
    if (!assertion) throw new UsageError(`--assertion-env: environment variable ${options.assertionEnv} is not set`);
    o.assertion = assertion;
  }
  return o;
}
