/**
 * Bounded JSON fetches for metadata documents (RFC 8414 §3, RFC 9728 §3). Metadata is untrusted input:
 * the body is read with a size cap and parsed defensively.
 */
import { McpSecureError } from '../errors';

/** Metadata documents larger than this are refused (`metadata_too_large`). */
export const MAX_METADATA_BYTES = 256 * 1024;
/** A metadata request that takes longer than this fails (`discovery_failed`). */
export const METADATA_TIMEOUT_MS = 15_000;

export type FetchLike = typeof fetch;

export interface JsonResponse {
  status: number;
  /** Parsed body for 2xx responses with a JSON object body; undefined otherwise. */
  body?: Record<string, unknown>;
}

/** Read a response body as text, refusing more than `limit` bytes. */
export async function readBoundedText(response: Response, limit: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new McpSecureError('metadata_too_large', `The ${what} exceeds ${limit} bytes.`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new McpSecureError('metadata_too_large', `The ${what} exceeds ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GET a JSON metadata document. Non-2xx statuses are returned (discovery tries the next URL);
 * network failures throw `discovery_failed`; a 2xx body that is not a JSON object throws
 * `invalid_metadata`; an oversized one `metadata_too_large`.
 */
export async function fetchJsonDocument(
  fetchImpl: FetchLike,
  url: URL,
  what: string,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(METADATA_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: 'application/json', ...init.headers },
      redirect: 'manual',
      signal,
    });
  } catch (cause) {
    throw new McpSecureError('discovery_failed', `Could not fetch the ${what} from ${url.origin}.`, { cause });
  }
  if (response.status < 200 || response.status >= 300) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
  const text = await readBoundedText(response, MAX_METADATA_BYTES, what);
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
  if (typeof v !== 'string') throw new McpSecureError('invalid_metadata', `The ${what} member "${key}" must be a string.`);
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
