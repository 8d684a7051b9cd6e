/**
 * The abort signal of one HTTP request, linked to the long-lived signal the SDK transport hands every
 * request, for exactly as long as that request lasts.
 *
 * undici removes the abort listener it adds to a request's signal only once the request has been
 * garbage-collected: given the transport's one signal, hundreds of listeners pile up on it (undici walks
 * them on every request; Node warns past 1,500). `AbortSignal.any` avoids that with weak references, at
 * ~20 µs of CPU and garbage collection per request (more than the rest of this layer together). Here
 * one listener on the parent aborts the request's own controller, and `release()` removes it when the
 * request is over: its body read, cancelled or failed (authorizedFetch.ts and responseLimit.ts call it).
 */
export interface RequestSignal {
  /** The request's own signal (`undefined` when there is no parent to follow). */
  readonly signal: AbortSignal | undefined;
  /** Unlinks from the parent; idempotent. */
  release(): void;
}

const UNLINKED: RequestSignal = { signal: undefined, release: () => undefined };

export function linkRequestSignal(parent: AbortSignal | null | undefined): RequestSignal {
  if (!parent) return UNLINKED;
  const own = new AbortController();
  if (parent.aborted) {
    own.abort(parent.reason);
    return { signal: own.signal, release: () => undefined };
  }
  const follow = (): void => own.abort(parent.reason);
  parent.addEventListener('abort', follow, { once: true });
  return { signal: own.signal, release: () => parent.removeEventListener('abort', follow) };
}
