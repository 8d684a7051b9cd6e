/**
 * Bounded JSON fetches for metadata documents (RFC 8414 §3, RFC 9728 §3). Metadata is untrusted input:
 * the body is read with a size cap and parsed defensively. {@link boundedFetch} is the one size and
 * time bound for every other authorization-server exchange too.
 */
import { McpSecureError, isMcpSecureError } from '../errors';
import type { UrlPolicy } from '../common/urlPolicy';

/** Metadata documents larger than this are refused (`metadata_too_large`). */
export const MAX_METADATA_BYTES = 256 * 1024;
/** A metadata request that takes longer than this fails (`request_timeout`). */
export const METADATA_TIMEOUT_MS = 15_000;

export type FetchLike = typeof fetch;

export interface JsonResponse {
  status: number;
  /** Parsed body for 2xx responses with a JSON object body; undefined otherwise. */
  body?: Record<string, unknown>;
}

/** Token, refresh, revocation, registration and token-exchange responses larger than this are refused (`response_too_large`). */
export const MAX_RESPONSE_BYTES = MAX_METADATA_BYTES;
/** A token, registration, revocation or token-exchange exchange (headers and body) that takes longer fails (`request_timeout`). */
export const OAUTH_REQUEST_TIMEOUT_MS = 30_000;

/** Limits for {@link boundedFetch}. */
export interface FetchBounds {
  /** What the response is, for error messages (public text). */
  what: string;
  maxBytes?: number;
  timeoutMs?: number;
  /** Checked against every request URL before anything is sent (server-supplied endpoints). */
  policy?: UrlPolicy;
  /** The code of the oversized-body error (metadata keeps its historic `metadata_too_large`). */
  tooLargeCode?: 'response_too_large' | 'metadata_too_large';
}

/** HTTP statuses whose responses have no body (WHATWG Fetch "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The one bound on every HTTP exchange with an authorization server: a fetch whose request URL passes
 * the server's URL policy, whose whole exchange (headers and body) ends within `timeoutMs`
 * (`request_timeout`), and whose body stream errors past `maxBytes` (`response_too_large`), so a
 * silent or endless endpoint can neither hang a sign-in nor exhaust memory. Handed to openid-client as
 * its `customFetch` (token, refresh, revocation) and used directly for DCR and token exchange.
 */
export function boundedFetch(fetchImpl: FetchLike, bounds: FetchBounds): FetchLike {
  const maxBytes = bounds.maxBytes ?? MAX_RESPONSE_BYTES;
  const timeoutMs = bounds.timeoutMs ?? OAUTH_REQUEST_TIMEOUT_MS;
  return async (input, init = {}) => {
    const target = input instanceof Request ? input.url : input;
    bounds.policy?.check(target, `${bounds.what} endpoint`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const timedOut = (): McpSecureError =>
      new McpSecureError(
        'request_timeout',
        `The ${bounds.what} did not arrive within ${Math.round(timeoutMs / 1000)} s.`,
      );
    let response: Response;
    try {
      response = await fetchImpl(input, { ...init, signal });
    } catch (cause) {
      if (timeout.aborted) throw timedOut();
      throw cause;
    }
    const tooLarge = (): McpSecureError =>
      new McpSecureError(bounds.tooLargeCode ?? 'response_too_large', `The ${bounds.what} exceeds ${maxBytes} bytes.`);
    if (Number(response.headers.get('content-length') ?? '0') > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    let total = 0;
    let onTimeout: (() => void) | undefined;
    const limiter = new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        onTimeout = () => controller.error(timedOut());
        timeout.addEventListener('abort', onTimeout, { once: true });
      },
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
      flush() {
        if (onTimeout) timeout.removeEventListener('abort', onTimeout);
      },
    });
    return new Response(response.body.pipeThrough(limiter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * GET a JSON metadata document at a URL the server's `policy` allows. Non-2xx statuses are returned (discovery tries the next URL);
 * network failures throw `discovery_failed`, a slow answer `request_timeout`; a 2xx body that is not a JSON object throws
 * `invalid_metadata`; an oversized one `metadata_too_large`.
 */
export async function fetchJsonDocument(
  fetchImpl: FetchLike,
  url: URL,
  what: string,
  init: { policy: UrlPolicy; signal?: AbortSignal; headers?: Record<string, string> },
): Promise<JsonResponse> {
  const bounded = boundedFetch(fetchImpl, {
    what,
    policy: init.policy,
    timeoutMs: METADATA_TIMEOUT_MS,
    maxBytes: MAX_METADATA_BYTES,
    tooLargeCode: 'metadata_too_large',
  });
  let response: Response;
  try {
    response = await bounded(url, {
      headers: { accept: 'application/json', ...init.headers },
      redirect: 'manual',
      signal: init.signal,
    });
  } catch (cause) {
    if (isMcpSecureError(cause)) throw cause;
    throw new McpSecureError('discovery_failed', `Could not fetch the ${what} from ${url.origin}.`, { cause });
  }
  if (response.status < 200 || response.status >= 300) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new McpSecureError('invalid_metadata', `The ${what} at ${url.origin} is not valid JSON.`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new McpSecureError('invalid_metadata', `The ${what} at ${url.origin} is not a JSON object.`);
  }
  return { status: response.status, body: parsed as Record<string, unknown> };
}

/** Optional string member, or `invalid_metadata` when present with another type. */
export function optionalString(doc: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new McpSecureError('invalid_metadata', `The ${what} member "${key}" must be a string.`);
  return v;
}

/** Optional string-array member, or `invalid_metadata` when present with another type. */
export function optionalStringArray(doc: Record<string, unknown>, key: string, what: string): string[] | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new McpSecureError('invalid_metadata', `The ${what} member "${key}" must be an array of strings.`);
  }
  return v as string[];
}
