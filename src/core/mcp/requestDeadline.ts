import { McpSecureError } from '../errors';

/**
 * Tracks authorizer work in progress (sign-in in the browser, refresh, step-up consent). Request
 * deadlines do not expire while it is active: a user typing a password must not turn into a
 * `request_timeout`, while a server that hangs still does.
 */
export class AuthActivity {
  private active = 0;
  private readonly idle = new Set<() => void>();

  get busy(): boolean {
    return this.active > 0;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      if (--this.active === 0) for (const l of [...this.idle]) l();
    }
  }

  /** Call `listener` the next time no authorizer work is in progress. */
  onceIdle(listener: () => void): () => void {
    const once = (): void => {
      this.idle.delete(once);
      listener();
    };
    this.idle.add(once);
    return () => this.idle.delete(once);
  }
}

/** Longest timer Node accepts; passed to the SDK so that only our own deadline applies. */
export const NO_SDK_TIMEOUT = 2_147_483_647;

/**
 * Run `work` with a deadline of `timeoutMs` that pauses while `activity` is busy (after authorizer
 * work ends, the request gets a fresh window). On expiry the work's signal is aborted with a
 * `request_timeout` error; the caller's own `signal` aborts it with `cancelled`.
 */
export function withDeadline<T>(
  timeoutMs: number,
  activity: AuthActivity | undefined,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const arm = (): void => {
    timer = setTimeout(() => {
      if (activity?.busy) unsubscribe = activity.onceIdle(arm);
      // built on expiry only: an Error captures a stack trace, too dear for every request
      else controller.abort(new McpSecureError('request_timeout', 'The MCP server did not answer in time.'));
    }, timeoutMs);
  };
  const onOuterAbort = (): void => controller.abort(outerAbortReason(outer?.reason, activity?.busy ?? false));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // Cleans up exactly once, on whichever comes first: the work's answer or the abort.
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      outer?.removeEventListener('abort', onOuterAbort);
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    // Settle on the abort too: not every SDK step honours the signal (e.g. the version-negotiation probe).
    const onAbort = (): void => settle(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) onOuterAbort();
    else arm();
    work(signal).then(
      (value) => settle(() => resolve(value)),
      (err: unknown) =>
        settle(() => reject(signal.aborted && signal.reason instanceof McpSecureError ? signal.reason : err)),
    );
  });
}

/**
 * Why the caller's signal aborted the work: its own typed reason (e.g. the CLI's overall deadline,
 * `request_timeout`, reported as `authorization_timeout` while a sign-in was pending), else `cancelled`.
 */
export function outerAbortReason(reason: unknown, signingIn: boolean): McpSecureError {
  if (!(reason instanceof McpSecureError)) return new McpSecureError('cancelled', 'The request was cancelled.');
  if (reason.code === 'request_timeout' && signingIn)
    return new McpSecureError('authorization_timeout', `${reason.message} The sign-in was not completed.`);
  return reason;
}
