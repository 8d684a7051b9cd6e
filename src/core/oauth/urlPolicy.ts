/**
 * URL allowlist for every server-supplied URL before it is fetched, opened or shown.
 * MCP 2025-11-25 §Communication Security: "All authorization server endpoints MUST be served over
 * HTTPS"; RFC 8252 §7.3 permits `http:` only for loopback redirect URIs, which we extend to loopback
 * test servers. Anything else (`javascript:`, `file:`, `data:`, custom schemes) is refused.
 */
import { McpSecureError } from '../errors';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True for hosts that resolve to this machine without DNS (RFC 8252 §8.3; `localhost` by RFC 6761). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
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
    throw new McpSecureError('insecure_url', `The ${what} must use https (http is allowed only for loopback): ${url.origin}`);
  }
  // Never echo the rest of a javascript:/data: URL — it is attacker-controlled content.
  throw new McpSecureError('insecure_url', `The ${what} uses a forbidden scheme "${url.protocol}".`);
}

/** Whether `url` lies inside `resource`: same origin and a path under the resource path. */
export function isWithinResource(url: URL, resource: URL): boolean {
  if (url.origin !== resource.origin) return false;
  const base = resource.pathname.endsWith('/') ? resource.pathname : `${resource.pathname}/`;
  return url.pathname === resource.pathname || url.pathname.startsWith(base) || resource.pathname === '/';
}
