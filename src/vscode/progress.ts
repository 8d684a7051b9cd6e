import * as vscode from 'vscode';
import { McpSecureError, isMcpSecureError } from '../core/errors';
import type { Logger } from '../core/ports';
import { safeText } from '../core/common/safeText';
import { Strings } from './strings';

/** Runs a long operation under a cancellable notification; cancelling aborts the signal. */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (_p, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() =>
          abort.abort(new McpSecureError('cancelled', Strings.cancelled)),
        );
        try {
          return await work(abort.signal);
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}

/** True for the ways an operation ends because the user said no. */
export function isCancellation(e: unknown): boolean {
  return (
    isMcpSecureError(e, 'cancelled') ||
    isMcpSecureError(e, 'authorization_cancelled') ||
    (e instanceof Error && e.name === 'AbortError')
  );
}

/**
 * Reports a failed user action: cancellations are silent, secret-storage failures get their own
 * message, everything else is shown as plain text (no markdown links, no `command:` URIs) and logged.
 */
export function reportFailure(logger: Logger, what: string, e: unknown): void {
  if (isCancellation(e)) {
    logger.debug(`${what}: cancelled`);
    return;
  }
  logger.error(`${what} failed`, e);
  const why = isMcpSecureError(e, 'secret_store_failed') ? Strings.secretStoreFailed : safeText(e);
  void vscode.window.showErrorMessage(Strings.operationFailed(what, why));
}
