import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import { MAX_RESENDS_PER_REQUEST, type RequestAuthorizer } from '../requestAuthorizer';
import { AccessDeniedError, parseBearerChallenge } from './accessDeniedError';
import type { AuthActivity } from './requestDeadline';
import { linkRequestSignal, type RequestSignal } from './requestSignal';
import { limitResponseBody } from './responseLimit';

/** Same-origin redirects followed per request. */
export const MAX_REDIRECTS = 3;

export interface AuthorizedFetchOptions {
  /** The MCP endpoint: the only origin this fetch will talk to. */
  readonly endpoint: URL;
  readonly authorizer: RequestAuthorizer;
  readonly logger: Logger;
  /** Static, non-secret headers from the server definition. */
  readonly staticHeaders?: Readonly<Record<string, string>>;
  /**
   * Stored header values (an API key, a static `Authorization`); an `Authorization` from the
   * authorizer (an OAuth token) takes precedence over a stored one.
   */
  readonly secretHeaders?: Readonly<Record<string, string>>;
  /** Cap on a JSON body / on one SSE event. */
  readonly maxResponseBytes: number;
  readonly baseFetch?: typeof fetch;
  /** Authorizer work (sign-in, refresh, consent) runs inside this, so request deadlines pause meanwhile. */
  readonly activity?: AuthActivity;
  /** Called with the HTTP status of every response (lets the connector detect the legacy-SSE fallback case). */
  readonly onStatus?: (method: string, status: number) => void;
}

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** One logical request: what stays the same across its redirects and re-sends. */
interface LogicalRequest {
  readonly method: string;
  readonly init: RequestInit;
  readonly signal: AbortSignal | undefined;
}

/**
 * The fetch every MCP HTTP request goes through. It:
 * - refuses any URL outside the endpoint's origin, so a credential can never reach another origin
 *   (MCP authorization 2025-11-25 §Token Handling: a client "MUST NOT send tokens to the MCP server other
 *   than ones issued by the MCP server's authorization server"; redirects are followed same-origin only);
 * - asks the `RequestAuthorizer` for headers on every request and never puts a token in the URL
 *   (§Access Token Usage: "Access tokens MUST NOT be included in the URI query string");
 * - hands 401/403 to the authorizer and re-sends when it says `retry` (within the one retry rule of
 *   requestAuthorizer.ts, `MAX_RESENDS_PER_REQUEST`), else throws `AccessDeniedError`;
 * - bounds response bodies.
 */
export function createAuthorizedFetch(opts: AuthorizedFetchOptions): FetchLike {
  // The SDK asks for the same endpoint every time: parse its text once (our own URL object, never mutated).
  let parsed = { href: '', url: opts.endpoint };
  const encoded = lastValueEncoder();
  return async (input, init = {}) => {
    const href = typeof input === 'string' ? input : input.href;
    if (href !== parsed.href) parsed = { href, url: new URL(href) };
    let url = parsed.url;
    const request: LogicalRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      init,
      signal: init.signal ?? undefined,
    };
    assertSameOrigin(url, opts.endpoint);
    // `rejections` numbers the 401/403 answers of this logical request (the authorizer's `attempt`).
    for (let rejections = 1, redirects = 0; ;) {
      const link = linkRequestSignal(request.signal);
      const response = await send(opts, request, url, link, encoded);
      opts.onStatus?.(request.method, response.status);
      if (response.status !== 401 && response.status !== 403 && !isRedirect(response))
        return limitResponseBody(response, opts.maxResponseBytes, link.release);
      try {
        if (isRedirect(response)) url = await redirectTarget(opts, request, url, response, ++redirects);
        else await resolveRejection(opts, request, url, response, rejections++);
      } finally {
        link.release();
      }
    }
  };
}

/** `encodeURIComponent`, remembering the last value (the same token goes out with every request). */
type UriEncoder = (value: string) => string;
function lastValueEncoder(): UriEncoder {
  let last = { value: '', encoded: '' };
  return (value) => {
    if (last.value !== value) last = { value, encoded: encodeURIComponent(value) };
    return last.encoded;
  };
}

/** Sends one HTTP request with the static headers and the authorizer's credentials (never in the URL). */
async function send(
  opts: AuthorizedFetchOptions,
  request: LogicalRequest,
  url: URL,
  link: RequestSignal,
  encoded: UriEncoder,
): Promise<Response> {
  const headers = new Headers(request.init.headers);
  for (const [k, v] of Object.entries(opts.staticHeaders ?? {})) if (!headers.has(k)) headers.set(k, v);
  headers.delete('authorization');
  for (const [k, v] of Object.entries(opts.secretHeaders ?? {})) headers.set(k, v);
  try {
    const auth = await during(opts.activity, () =>
      opts.authorizer.headersFor({ url, method: request.method }, request.signal),
    );
    for (const [k, v] of Object.entries(auth)) headers.set(k, v);
    assertNoCredentialInUrl(url, Object.values(auth), encoded);
    return await (opts.baseFetch ?? fetch)(url, {
      ...request.init,
      method: request.method,
      headers,
      redirect: 'manual',
      signal: link.signal,
    });
  } catch (err) {
    link.release();
    throw err;
  }
}

function isRedirect(response: Response): boolean {
  return response.status >= 300 && response.status < 400 && response.headers.has('location');
}

/** The same-origin target of a redirect (only GET, or 307/308 which keep the method and body). */
async function redirectTarget(
  opts: AuthorizedFetchOptions,
  request: LogicalRequest,
  url: URL,
  response: Response,
  redirects: number,
): Promise<URL> {
  await response.body?.cancel().catch(() => undefined);
  const next = new URL(response.headers.get('location') ?? '', url);
  assertSameOrigin(next, opts.endpoint);
  if (redirects > MAX_REDIRECTS) throw new McpSecureError('protocol_error', 'Too many redirects from the MCP server.');
  if (request.method !== 'GET' && response.status !== 307 && response.status !== 308) {
    throw new McpSecureError(
      'protocol_error',
      `The MCP server redirected a ${request.method} request (HTTP ${response.status}).`,
    );
  }
  return next;
}

/**
 * A 401/403: returns when the authorizer fixed it and the request may be re-sent, otherwise throws
 * `AccessDeniedError` (carrying the authorizer's own typed error when it gave up loudly).
 */
async function resolveRejection(
  opts: AuthorizedFetchOptions,
  request: LogicalRequest,
  url: URL,
  response: Response,
  attempt: number,
): Promise<void> {
  const status = response.status as 401 | 403;
  const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
  let verdict: 'retry' | 'fail';
  try {
    verdict = await during(opts.activity, () =>
      opts.authorizer.handleRejection(
        { url, method: request.method, status: response.status, headers: response.headers, attempt },
        request.signal,
      ),
    );
  } catch (err) {
    await response.body?.cancel().catch(() => undefined);
    // The authorizer gave up loudly (e.g. step-up refused): keep its code, but record it as a denial.
    if (err instanceof McpSecureError) throw new AccessDeniedError(status, challenge.scope, challenge.error, err);
    throw err;
  }
  await response.body?.cancel().catch(() => undefined);
  if (verdict === 'retry' && attempt <= MAX_RESENDS_PER_REQUEST) return;
  opts.logger.debug(
    `HTTP ${response.status} from MCP server (${challenge.error ?? 'no error code'}), authorizer gave up`,
  );
  throw new AccessDeniedError(status, challenge.scope, challenge.error);
}

function during<T>(activity: AuthActivity | undefined, work: () => Promise<T>): Promise<T> {
  return activity ? activity.run(work) : work();
}

/** MCP authorization §Access Token Usage: "Access tokens MUST NOT be included in the URI query string". */
function assertNoCredentialInUrl(url: URL, headerValues: string[], encoded: UriEncoder): void {
  const href = url.href;
  for (const value of headerValues) {
    const credential = value.replace(/^(Bearer|DPoP)\s+/i, '');
    if (credential.length >= 8 && (href.includes(credential) || href.includes(encoded(credential)))) {
      throw new McpSecureError('insecure_url', 'Refused a request whose URL contains the access credential.');
    }
  }
}

function assertSameOrigin(url: URL, endpoint: URL): void {
  if (url.origin !== endpoint.origin) {
    throw new McpSecureError(
      'insecure_url',
      'Refused a request to a different origin than the MCP server (credentials are never sent elsewhere).',
    );
  }
  if (url.username || url.password) throw new McpSecureError('insecure_url', 'Refused a URL carrying credentials.');
}
