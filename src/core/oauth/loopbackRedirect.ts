/**
 * RFC 8252 §7.3 loopback redirect listener: binds 127.0.0.1 on an ephemeral port, accepts exactly one
 * callback carrying the pending `state`, and answers it with a static page (no reflected input) only
 * once the flow knows the outcome: "Signed in" after the code was checked (`state`, RFC 9207 `iss`,
 * `error`) and exchanged, "Sign-in failed" otherwise — never success for a response the client discards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpSecureError } from '../errors';

export const CALLBACK_PATH = '/callback';
/** Default time the user has to finish signing in. */
export const DEFAULT_REDIRECT_TIMEOUT_MS = 5 * 60_000;

const PAGE = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
  `<style>body{font:16px system-ui,sans-serif;margin:4rem auto;max-width:32rem;text-align:center}</style>` +
  `</head><body><h1>${title}</h1><p>${body}</p></body></html>`;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};
const SUCCESS_PAGE = PAGE('Signed in', 'You can close this window and return to your editor.');
const FAILURE_PAGE = PAGE('Sign-in failed', 'Return to your editor for details.');

/** What the browser is told once the flow has judged the callback. */
export type CallbackOutcome = 'success' | 'failure';

/**
 * One pending authorization redirect. `start()` listens; `redirectUri` is then known; `wait()`
 * resolves with the full callback URL (the caller validates `iss`, `error`, `code` and exchanges the
 * code), or rejects with `authorization_timeout` / `authorization_cancelled`. The browser's request is
 * held until the caller calls `respond()`; `close()` answers it with the failure page if nobody did.
 */
export class LoopbackRedirect {
  private server: Server | undefined;
  private port = 0;
  private settled = false;
  private resolveFn!: (url: URL) => void;
  private rejectFn!: (err: Error) => void;
  private readonly result: Promise<URL>;
  private timer: NodeJS.Timeout | undefined;
  /** The accepted callback's response, held open until the flow knows the outcome. */
  private held: ServerResponse | undefined;

  constructor(
    private readonly expectedState: string,
    private readonly opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ) {
    this.result = new Promise<URL>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    this.result.catch(() => undefined);
  }

  /** `http://127.0.0.1:<port>/callback` — valid after `start()`. */
  get redirectUri(): string {
    return `http://127.0.0.1:${this.port}${CALLBACK_PATH}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.timer = setTimeout(
      () => this.fail(new McpSecureError('authorization_timeout', 'Timed out waiting for the authorization redirect.')),
      this.opts.timeoutMs ?? DEFAULT_REDIRECT_TIMEOUT_MS,
    );
    this.timer.unref?.();
    const signal = this.opts.signal;
    if (signal?.aborted) this.cancel(signal.reason);
    else signal?.addEventListener('abort', () => this.cancel(signal.reason), { once: true });
  }

  /** Resolves with the callback URL, or rejects with a typed error. */
  wait(): Promise<URL> {
    return this.result;
  }

  /** Abandon the wait; a deadline (`request_timeout` reason) is reported as `authorization_timeout`, anything else as cancelled. */
  cancel(reason?: unknown): void {
    if (reason instanceof McpSecureError && reason.code === 'request_timeout') {
      this.fail(new McpSecureError('authorization_timeout', `${reason.message} The sign-in was not completed.`));
      return;
    }
    this.fail(new McpSecureError('authorization_cancelled', 'Sign-in was cancelled.'));
  }

  /**
   * Answer the browser for the accepted callback: the success page only when the caller says the code
   * passed every check and was exchanged. Later calls do nothing.
   */
  respond(outcome: CallbackOutcome): void {
    const res = this.held;
    this.held = undefined;
    if (!res || res.writableEnded) return;
    const ok = outcome === 'success';
    res.writeHead(ok ? 200 : 400, { ...PAGE_HEADERS, connection: 'close' }).end(ok ? SUCCESS_PAGE : FAILURE_PAGE);
  }

  async close(): Promise<void> {
    this.respond('failure');
    if (this.timer) clearTimeout(this.timer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const headers = PAGE_HEADERS;
    const url = new URL(req.url ?? '/', this.redirectUri);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, headers).end(FAILURE_PAGE);
      return;
    }
    // Exactly one callback. A second one is refused; a callback with a missing or foreign state is
    // refused AND aborts the pending flow with `state_mismatch` (RFC 6749 §10.12: a CSRF attempt).
    if (this.settled) {
      res.writeHead(400, headers).end(FAILURE_PAGE);
      return;
    }
    if (url.searchParams.get('state') !== this.expectedState) {
      res.writeHead(400, headers).end(FAILURE_PAGE);
      this.fail(
        new McpSecureError('state_mismatch', 'The authorization response carried a missing or unexpected state.'),
      );
      return;
    }
    // Hold the browser until the flow has checked iss/error and exchanged the code (respond()).
    this.held = res;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.resolveFn(url);
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.rejectFn(err);
  }
}
