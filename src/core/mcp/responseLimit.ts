import { McpSecureError } from '../errors';

/** Default cap on one JSON response body or one SSE event from an MCP server: 16 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Wrap a response so its body errors with `protocol_error` once it exceeds `maxBytes`. For
 * `text/event-stream` the limit applies per event (bytes since the last blank line), so a long-lived
 * stream is fine but one unbounded event is not.
 */
export function limitResponseBody(response: Response, maxBytes: number): Response {
  if (!response.body) return response;
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  const isStream = (response.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');
  // A declared length within the limit bounds the body already: fetch reads no more than Content-Length
  // bytes (RFC 9112 §6.3). Not so for a compressed body, which fetch expands: that one is counted.
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (Number.isFinite(declared) && !isStream && encoding === 'identity') return response;
  let count = 0;
  let lastByte = -1;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (isStream) {
        for (const byte of chunk) {
          // An LF after an LF ends an event (CRs are ignored for counting purposes).
          if (byte === 0x0a && lastByte === 0x0a) count = 0;
          else count++;
          if (byte !== 0x0d) lastByte = byte;
        }
      } else {
        count += chunk.byteLength;
      }
      if (count > maxBytes) {
        controller.error(tooLarge(maxBytes));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(limiter), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function tooLarge(maxBytes: number): McpSecureError {
  return new McpSecureError('protocol_error', `The MCP server sent a response larger than the ${maxBytes}-byte limit.`);
}
