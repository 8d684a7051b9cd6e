/**
 * The one URL policy: the loopback-host check and the URL validators every layer uses (server
 * definitions, the CLI's server argument, the OTLP collector, every server-supplied URL before it is
 * fetched, opened or shown). One error code per mistake: `invalid_url` (not a URL, or a fragment
 * where an endpoint is expected), `insecure_url` (scheme, http off loopback, credentials in the URL).
 * No `node:` imports.
 *
 * MCP 2025-11-25 §Communication Security: "All authorization server endpoints MUST be served over
 * HTTPS"; RFC 8252 §7.3 permits `http:` only for loopback redirect URIs, which we extend to loopback
 * test servers. Anything else (`javascript:`, `file:`, `data:`, custom schemes) is refused.
 */
import { McpSecureError } from '../errors';

/**
 * True for hosts that resolve to this machine without DNS (RFC 8252 §8.3 loopback; `localhost` by
 * RFC 6761 §6.3): `localhost`, `127.0.0.0/8` and `::1`, the IPv6 address with or without the brackets
 * `URL.hostname` keeps (`[::1]` and `::1` alike), in any letter case.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * True for hosts that reach this machine without DNS: loopback, the unspecified addresses (which
 * connect locally), IPv4-mapped loopback and `*.localhost` names (RFC 6761 §6.3). The WHATWG URL
 * parser already folds decimal/hex IPv4 spellings (`2130706433`, `0x7f.1`) into dotted form.
 */
export function isLocalTarget(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  return (
    isLoopbackHost(h) ||
    h === '0.0.0.0' ||
    h === '::' ||
    /^::ffff:(7f[0-9a-f]{2}:|127\.)/.test(h) ||
    h.endsWith('.localhost')
  );
}

/**
 * Parse and allowlist a URL. Throws `invalid_url` for unparsable input and `insecure_url` for any
 * scheme other than `https:` (or `http:` on loopback). `what` names the URL in the error (public text).
 */
export function assertSafeUrl(raw: string | URL, what: string, base?: string | URL): URL {
  let url: URL;
  try {
    url = raw instanceof URL ? new URL(raw.href) : new URL(raw, base);
  } catch (cause) {
    throw new McpSecureError('invalid_url', `The ${what} is not a valid URL.`, { cause });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new McpSecureError(
      'insecure_url',
      `The ${what} must use https (http is allowed only for loopback): ${url.origin}`,
    );
  }
  // Never echo the rest of a javascript:/data: URL — it is attacker-controlled content.
  throw new McpSecureError('insecure_url', `The ${what} uses a forbidden scheme "${url.protocol}".`);
}

/**
 * Parse and check the URL of an endpoint the user configures (an MCP server, an issuer, the OTLP
 * collector): {@link assertSafeUrl}, and no credentials (`insecure_url`: userinfo ends up in logs and
 * history, RFC 3986 §3.2.1 deprecates it) and no fragment (`invalid_url`: never sent to a server).
 */
export function parseEndpointUrl(raw: string, what: string): URL {
  const url = assertSafeUrl(raw, what);
  if (url.username || url.password)
    throw new McpSecureError('insecure_url', `The ${what} must not carry credentials (user:password@).`);
  if (url.hash) throw new McpSecureError('invalid_url', `The ${what} must not contain a fragment (#…).`);
  return url;
}

/**
 * The URL policy for everything a server supplies on behalf of one MCP server (its `resource_metadata`
 * URL, PRM `authorization_servers`, AS metadata endpoints). On top of {@link assertSafeUrl}, loopback
 * targets are allowed only when the MCP server itself is on loopback: otherwise a remote server could
 * make the client GET or POST any `http://127.0.0.1:<port>` path (server-side request forgery against
 * local services; RFC 9700 §4.15 recommends restricting such targets, RFC 8252 §8.3 scopes loopback
 * to the local app). Build it once per server with {@link urlPolicyFor}.
 */
export interface UrlPolicy {
  /** The origin of the MCP server whose responses supply the URLs. */
  readonly serverOrigin: string;
  /** Parse and check a server-supplied URL; typed `invalid_url` / `insecure_url` errors, before any request. */
  check(raw: string | URL, what: string, base?: string | URL): URL;
}

/** The policy for URLs learnt from the MCP server at `serverUrl` (see {@link UrlPolicy}). */
export function urlPolicyFor(serverUrl: string | URL): UrlPolicy {
  const server = assertSafeUrl(serverUrl, 'MCP server URL');
  const serverOnLoopback = isLoopbackHost(server.hostname);
  return {
    serverOrigin: server.origin,
    check(raw, what, base) {
      const url = assertSafeUrl(raw, what, base);
      if (!serverOnLoopback && isLocalTarget(url.hostname)) {
        throw new McpSecureError(
          'insecure_url',
          `The ${what} points at this machine (${url.origin}), but the MCP server ${server.origin} is not local; refused.`,
        );
      }
      return url;
    },
  };
}

/** Whether `url` lies inside `resource`: same origin and a path under the resource path. */
export function isWithinResource(url: URL, resource: URL): boolean {
  if (url.origin !== resource.origin) return false;
  const base = resource.pathname.endsWith('/') ? resource.pathname : `${resource.pathname}/`;
  return url.pathname === resource.pathname || url.pathname.startsWith(base) || resource.pathname === '/';
}

/**
 * Whether `url` can be a Client ID Metadata Document URL (OAuth Client ID Metadata Document draft §3:
 * the `client_id` URL MUST use https and contain a path component; no fragment).
 */
export function isClientMetadataDocumentUrl(url: string | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.pathname !== '/' && !u.hash;
  } catch {
    return false;
  }
}
