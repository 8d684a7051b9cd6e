import { McpSecureError } from '../errors';

/** Default cap on one JSON response body or one SSE event from an MCP server: 16 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Bounds a response's body: it errors with `protocol_error` once it exceeds `maxBytes`. For
 * `text/event-stream` the limit applies per event (bytes since the last blank line), so a long-lived
 * stream is fine but one unbounded event is not. `done` is called when the request needs its abort
 * signal no more (see requestSignal.ts): once a counted body has been read, cancelled or has failed,
 * and at once for a body whose declared length is within the limit.
 *
 * A declared length within the limit bounds the body already: fetch reads no more than Content-Length
 * bytes (RFC 9112 §6.3), so that body is handed on untouched (the reader gets it in one short read;
 * closing the transport no longer cuts it short, a deadline or cancellation still ends the call). Not
 * so for a compressed body, which fetch expands: that one is counted.
 */
export function limitResponseBody(response: Response, maxBytes: number, done: () => void = () => undefined): Response {
  if (!response.body) {
    done();
    return response;
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    done();
    void response.body.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  const isStream = (response.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (Number.isFinite(declared) && !isStream && encoding === 'identity') {
    done();
    return response;
  }
  const limiter = isStream ? eventSizeLimiter(maxBytes) : bodySizeLimiter(maxBytes);
  // pipeTo settles when the body ends, fails, or the reader cancels (which errors the limiter)
  response.body.pipeTo(limiter.writable).then(done, done);
  return new Response(limiter.readable, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Errors once the whole body exceeds `maxBytes`. */
function bodySizeLimiter(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let count = 0;
  return new TransformStream({
    transform(chunk, controller) {
      count += chunk.byteLength;
      if (count > maxBytes) controller.error(tooLarge(maxBytes));
      else controller.enqueue(chunk);
    },
  });
}

/** Errors once one server-sent event (the bytes since the last blank line) exceeds `maxBytes`. */
function eventSizeLimiter(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let count = 0;
  let lastByte = -1;
  return new TransformStream({
    transform(chunk, controller) {
      for (const byte of chunk) {
        // An LF after an LF ends an event.
        if (byte === 0x0a && lastByte === 0x0a) count = 0;
        else count++;
        if (byte !== 0x0d) lastByte = byte;
      }
      if (count > maxBytes) controller.error(tooLarge(maxBytes));
      else controller.enqueue(chunk);
    },
  });
}

function tooLarge(maxBytes: number): McpSecureError {
  return new McpSecureError('protocol_error', `The MCP server sent a response larger than the ${maxBytes}-byte limit.`);
}
