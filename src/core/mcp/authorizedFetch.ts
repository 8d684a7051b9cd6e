import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import type { RequestAuthorizer } from '../requestAuthorizer';
import { AccessDeniedError, parseBearerChallenge } from './accessDeniedError';
import type { AuthActivity } from './requestDeadline';
import { limitResponseBody } from './responseLimit';

/** How many times one logical request may be re-sent after the authorizer said `retry`. */
export const MAX_AUTH_RETRIES = 3;
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

/**
 * The fetch every MCP HTTP request goes through. It:
 * - refuses any URL outside the endpoint's origin, so a credential can never reach another origin
 *   (MCP authorization 2025-11-25 §Token Handling: a client "MUST NOT send tokens to the MCP server other
 *   than ones issued by the MCP server's authorization server"; redirects are followed same-origin only);
 * - asks the `RequestAuthorizer` for headers on every request and never puts a token in the URL
 *   (§Access Token Usage: "Access tokens MUST NOT be included in the URI query string");
 * - hands 401/403 to the authorizer and re-sends when it says `retry`, else throws `AccessDeniedError`;
 * - bounds response bodies.
 */
export function createAuthorizedFetch(opts: AuthorizedFetchOptions): FetchLike {
  const base = opts.baseFetch ?? fetch;
  return async (input, init = {}) => {
    let url = new URL(typeof input === 'string' ? input : input.href);
    const method = (init.method ?? 'GET').toUpperCase();
    assertSameOrigin(url, opts.endpoint);
    for (let attempt = 1, redirects = 0; ;) {
      const headers = new Headers(init.headers);
      for (const [k, v] of Object.entries(opts.staticHeaders ?? {})) if (!headers.has(k)) headers.set(k, v);
      headers.delete('authorization');
      for (const [k, v] of Object.entries(opts.secretHeaders ?? {})) headers.set(k, v);
      const auth = await during(opts.activity, () =>
        opts.authorizer.headersFor({ url, method }, init.signal ?? undefined),
      );
      for (const [k, v] of Object.entries(auth)) headers.set(k, v);
      assertNoCredentialInUrl(url, Object.values(auth));
      const response = await base(url, {
        ...init,
        method,
        headers,
        redirect: 'manual',
        signal: perRequestSignal(init.signal),
      });
      opts.onStatus?.(method, response.status);
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel().catch(() => undefined);
        const next = new URL(response.headers.get('location') ?? '', url);
        assertSameOrigin(next, opts.endpoint);
        if (++redirects > MAX_REDIRECTS)
          throw new McpSecureError('protocol_error', 'Too many redirects from the MCP server.');
        if (method !== 'GET' && response.status !== 307 && response.status !== 308) {
          throw new McpSecureError(
            'protocol_error',
            `The MCP server redirected a ${method} request (HTTP ${response.status}).`,
          );
        }
        url = next;
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
        let verdict: 'retry' | 'fail';
        try {
          verdict = await during(opts.activity, () =>
            opts.authorizer.handleRejection(
              { url, method, status: response.status, headers: response.headers, attempt },
              init.signal ?? undefined,
            ),
          );
        } catch (err) {
          await response.body?.cancel().catch(() => undefined);
          // The authorizer gave up loudly (e.g. step-up refused): keep its code, but record it as a denial.
          if (err instanceof McpSecureError)
            throw new AccessDeniedError(response.status, challenge.scope, challenge.error, err);
          throw err;
        }
        await response.body?.cancel().catch(() => undefined);
        if (verdict === 'retry' && attempt < MAX_AUTH_RETRIES + 1) {
          attempt++;
          continue;
        }
        opts.logger.debug(
          `HTTP ${response.status} from MCP server (${challenge.error ?? 'no error code'}), authorizer gave up`,
        );
        throw new AccessDeniedError(response.status, challenge.scope, challenge.error);
      }
      return limitResponseBody(response, opts.maxResponseBytes);
    }
  };
}

/**
 * A signal of this request only, aborted with `signal`. The SDK transport hands every POST its one
 * long-lived signal, and undici removes the abort listener it adds to a request's signal only when
 * that request is garbage-collected: the long-lived signal gathered hundreds of listeners, and undici
 * walks them on every request (`getEventListeners`). `AbortSignal.any` adds no listener to its source.
 */
function perRequestSignal(signal: AbortSignal | null | undefined): AbortSignal | undefined {
  return signal ? AbortSignal.any([signal]) : undefined;
}

function during<T>(activity: AuthActivity | undefined, work: () => Promise<T>): Promise<T> {
  return activity ? activity.run(work) : work();
}

/** MCP authorization §Access Token Usage: "Access tokens MUST NOT be included in the URI query string". */
function assertNoCredentialInUrl(url: URL, headerValues: string[]): void {
  const href = url.href;
  for (const value of headerValues) {
    const credential = value.replace(/^(Bearer|DPoP)\s+/i, '');
    if (credential.length >= 8 && (href.includes(credential) || href.includes(encodeURIComponent(credential)))) {
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
