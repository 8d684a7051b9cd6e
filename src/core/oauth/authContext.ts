/**
 * Resolves everything needed to talk to a server's authorization server: PRM (RFC 9728), AS metadata
 * (RFC 8414), the client (pre-registered / CIMD / DCR) and an openid-client Configuration.
 */
import type * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { Logger, SecretStore } from '../ports';
import { type AuthServerMetadata, discoverAuthServer, discoverLegacyAuthServer } from './authServerMetadata';
import { assertPinnedIssuer, chooseIssuer, pinnedIssuer } from './clientIssuerPin';
import { obtainClient, type RegisteredClient } from './clientRegistration';
import { boundedFetch, type FetchLike } from './httpJson';
import { buildConfiguration, chooseDpopAlg } from './openidConfig';
import { discoverProtectedResource, type ProtectedResourceMetadata } from './protectedResourceMetadata';
import type { OAuthServer, OAuthServerOptions } from './types';
import { urlPolicyFor } from '../common/urlPolicy';

export interface AuthContext {
  serverUrl: URL;
  prm?: ProtectedResourceMetadata;
  /** The resource identifier exactly as the PRM publishes it (or the server URL for 2025-03-26 servers). */
  resource: string;
  metadata: AuthServerMetadata;
  /** True when discovered by the 2025-03-26 rules (no PRM). */
  legacy: boolean;
  client: RegisteredClient;
  config: oidc.Configuration;
  dpopAlg?: string;
  /** Bound of each further exchange (token exchange at the IdP). */
  requestTimeoutMs?: number;
}

export interface AuthContextDeps {
  fetch: FetchLike;
  secrets: SecretStore;
  logger: Logger;
  clientName?: string;
  clientMetadataUrl?: string;
  /** Bound of each authorization-server exchange (default `OAUTH_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs?: number;
}

export interface ResolveOptions {
  resourceMetadataUrl?: string;
  redirectUri?: string;
  signal?: AbortSignal;
  /** Re-use a known issuer without PRM discovery (refresh / revocation after a restart). */
  knownIssuer?: { issuer: string; legacy: boolean; resource: string };
}

/** RFC 8707 parameters for authorize/token/refresh, per the server's `resourceParameter` option. */
export function resourceParamsFor(options: OAuthServerOptions, resource: string): Record<string, string> {
  switch (options.resourceParameter ?? 'resource') {
    case 'omit':
      return {};
    case 'audience':
      return { audience: options.audience ?? resource };
    default:
      return { resource };
  }
}

/** The canonical server URI for 2025-03-26 servers that publish no PRM (no fragment). */
function canonicalServerUri(url: URL): string {
  const u = new URL(url.href);
  u.hash = '';
  return u.href;
}

/**
 * Discover PRM (or use the known issuer), AS metadata and the client, and build the openid-client
 * Configuration (MCP 2025-11-25 §Authorization Server Discovery, §Client Registration Approaches).
 */
export async function resolveAuthContext(
  deps: AuthContextDeps,
  server: OAuthServer,
  opts: ResolveOptions = {},
): Promise<AuthContext> {
  const policy = urlPolicyFor(server.url);
  const serverUrl = new URL(server.url);
  const options = server.options ?? {};
  const log = deps.logger;
  let prm: ProtectedResourceMetadata | undefined;
  let metadata: AuthServerMetadata;
  let legacy = false;
  let resource: string;
  const pinned = await pinnedIssuer(deps.secrets, server);
  if (opts.knownIssuer) {
    legacy = opts.knownIssuer.legacy;
    resource = opts.knownIssuer.resource;
    metadata = legacy
      ? (await discoverLegacyAuthServer(deps.fetch, serverUrl, { signal: opts.signal, logger: log })).metadata
      : (await discoverAuthServer(deps.fetch, opts.knownIssuer.issuer, { policy, signal: opts.signal, logger: log }))
          .metadata;
  } else {
    prm = await discoverProtectedResource(deps.fetch, serverUrl, {
      resourceMetadataUrl: opts.resourceMetadataUrl,
      signal: opts.signal,
      logger: log,
    });
    if (prm) {
      const issuer = chooseIssuer(server, prm.authorizationServers, pinned);
      if (!issuer)
        throw new McpSecureError('discovery_failed', 'The protected resource metadata lists no authorization server.');
      metadata = (await discoverAuthServer(deps.fetch, issuer, { policy, signal: opts.signal, logger: log })).metadata;
      resource = prm.resource;
    } else {
      legacy = true;
      log.info(`no protected resource metadata at ${serverUrl.origin}; using 2025-03-26 discovery`);
      metadata = (await discoverLegacyAuthServer(deps.fetch, serverUrl, { signal: opts.signal, logger: log })).metadata;
      resource = canonicalServerUri(serverUrl);
    }
  }
  // A known grant is only ever used with the issuer that issued it (a 2025-03-26 server is rediscovered
  // at its origin, which must still be that issuer), and a pre-registered client only with its own AS.
  if (opts.knownIssuer && metadata.issuer !== opts.knownIssuer.issuer) {
    throw new McpSecureError(
      'issuer_mismatch',
      `The authorization server found for this sign-in (${metadata.issuer}) is not the one that issued it (${opts.knownIssuer.issuer}); sign in again.`,
    );
  }
  assertPinnedIssuer(server, metadata.issuer, pinned);
  const client = await obtainClient({
    metadata,
    options,
    secrets: deps.secrets,
    fetch: boundedFetch(deps.fetch, { what: 'registration response', policy, timeoutMs: deps.requestTimeoutMs }),
    logger: log,
    redirectUri: opts.redirectUri,
    clientName: deps.clientName,
    clientMetadataUrl: deps.clientMetadataUrl,
    signal: opts.signal,
  });
  // Token, refresh and revocation requests go to endpoints the metadata named: same policy, and
  // bounded in size and time like every other authorization-server exchange.
  const config = await buildConfiguration(
    metadata,
    client,
    options,
    boundedFetch(deps.fetch, { what: 'authorization server response', policy, timeoutMs: deps.requestTimeoutMs }),
  );
  return {
    serverUrl,
    prm,
    resource,
    metadata,
    legacy,
    client,
    config,
    dpopAlg: chooseDpopAlg(metadata, options),
    requestTimeoutMs: deps.requestTimeoutMs,
  };
}
