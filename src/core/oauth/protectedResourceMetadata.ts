/**
 * RFC 9728 protected-resource metadata (PRM) discovery, as MCP 2025-11-25 §Protected Resource Metadata
 * Discovery Requirements orders it: the `resource_metadata` URL from the `WWW-Authenticate` challenge,
 * else the path-aware well-known URL, else the root well-known URL.
 */
import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import { type FetchLike, fetchJsonDocument, optionalString, optionalStringArray } from './httpJson';
import { isLoopbackHost, urlPolicyFor } from '../common/urlPolicy';

/** RFC 9728 §2 — the members the client uses. */
export interface ProtectedResourceMetadata {
  /** Exactly as published (never re-serialised: `new URL()` would append a `/` to a pathless origin). */
  resource: string;
  authorizationServers: string[];
  scopesSupported?: string[];
  /** Where it was read from. */
  metadataUrl: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The well-known PRM URLs to try for a server URL, path-aware first (RFC 9728 §3.1). */
export function prmCandidateUrls(serverUrl: URL): URL[] {
  const path = serverUrl.pathname.replace(/\/$/, '');
  const out: URL[] = [];
  if (path && path !== '/') out.push(new URL(`${WELL_KNOWN}${path}`, serverUrl.origin));
  out.push(new URL(WELL_KNOWN, serverUrl.origin));
  return out;
}

/**
 * RFC 9728 §3.3 + MCP §Canonical Server URI: the PRM `resource` must identify this server — same
 * origin, and its path a segment-prefix of the server URL's path. Otherwise `resource_mismatch`.
 */
export function assertResourceMatches(resource: string, serverUrl: URL): void {
  let r: URL;
  try {
    r = new URL(resource);
  } catch (cause) {
    throw new McpSecureError('invalid_metadata', 'The protected resource metadata "resource" is not a URL.', { cause });
  }
  const rPath = r.pathname.replace(/\/$/, '');
  const sPath = serverUrl.pathname.replace(/\/$/, '');
  const pathOk = rPath === '' || sPath === rPath || sPath.startsWith(`${rPath}/`);
  if (r.origin !== serverUrl.origin || !pathOk || r.hash) {
    throw new McpSecureError(
      'resource_mismatch',
      `The protected resource metadata names resource ${r.origin}${r.pathname}, which does not match the server ${serverUrl.origin}${serverUrl.pathname}.${loopbackAlias(r, serverUrl)}`,
    );
  }
}

/**
 * `127.0.0.1`, `localhost` and `[::1]` name the same machine but are different origins (RFC 8707 §2
 * compares exactly): when only the loopback spelling differs, suggest the URL the metadata names.
 */
function loopbackAlias(resource: URL, serverUrl: URL): string {
  if (resource.protocol !== serverUrl.protocol || resource.port !== serverUrl.port) return '';
  if (
    !isLoopbackHost(resource.hostname) ||
    !isLoopbackHost(serverUrl.hostname) ||
    resource.hostname === serverUrl.hostname
  )
    return '';
  const suggested = new URL(serverUrl.href);
  suggested.hostname = resource.hostname;
  return ` Both are this machine: use the URL ${suggested.href} (the host the server's metadata names).`;
}

/** Validate a PRM JSON document (RFC 9728 §2). */
export function parseProtectedResourceMetadata(
  doc: Record<string, unknown>,
  metadataUrl: URL,
): ProtectedResourceMetadata {
  const what = 'protected resource metadata';
  const resource = optionalString(doc, 'resource', what);
  if (!resource) throw new McpSecureError('invalid_metadata', 'The protected resource metadata has no "resource".');
  const authorizationServers = optionalStringArray(doc, 'authorization_servers', what) ?? [];
  const scopesSupported = optionalStringArray(doc, 'scopes_supported', what);
  return { resource, authorizationServers, scopesSupported, metadataUrl: metadataUrl.href };
}

/**
 * Discover PRM for `serverUrl`. Returns undefined when no candidate answers (a 2025-03-26 server);
 * throws typed errors for unsafe URLs (the server's {@link urlPolicyFor} policy), malformed/oversized documents and a mismatched `resource`.
 */
export async function discoverProtectedResource(
  fetchImpl: FetchLike,
  serverUrl: URL,
  opts: { resourceMetadataUrl?: string; signal?: AbortSignal; logger?: Logger } = {},
): Promise<ProtectedResourceMetadata | undefined> {
  // The challenge's resource_metadata and the PRM's authorization_servers are server-supplied: both
  // pass this server's URL policy (no loopback targets from a remote server) before any request.
  const policy = urlPolicyFor(serverUrl);
  const candidates = opts.resourceMetadataUrl
    ? [policy.check(opts.resourceMetadataUrl, 'resource_metadata URL'), ...prmCandidateUrls(serverUrl)]
    : prmCandidateUrls(serverUrl);
  for (const url of candidates) {
    const res = await fetchJsonDocument(fetchImpl, url, 'protected resource metadata', { policy, signal: opts.signal });
    opts.logger?.debug(`PRM ${url.href} -> ${res.status}`);
    if (!res.body) continue;
    const prm = parseProtectedResourceMetadata(res.body, url);
    assertResourceMatches(prm.resource, serverUrl);
    for (const as of prm.authorizationServers) policy.check(as, 'authorization server URL');
    return prm;
  }
  return undefined;
}
