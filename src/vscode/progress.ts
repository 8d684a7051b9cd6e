import * as vscode from 'vscode';
import { McpSecureError, isMcpSecureError } from '../core/errors';
import type { Logger } from '../core/ports';
import { safeText } from '../core/common/safeText';
import { Strings } from './strings';

/** One update of a progress notification: its message (plain text) and how far the bar moves, in percent. */
export interface ProgressReport {
  readonly message?: string;
  readonly increment?: number;
}

/** The work under a progress notification: aborted by its Cancel button, reporting as it goes. */
export type ProgressWork<T> = (signal: AbortSignal, report: (update: ProgressReport) => void) => Promise<T>;

/** Runs work under a cancellable progress notification (injected as a prompt, so tests can cancel it). */
export type RunWithProgress = <T>(title: string, work: ProgressWork<T>) => Promise<T>;

/** Runs a long operation under a cancellable notification; cancelling aborts the signal. */
export function withCancellableProgress<T>(title: string, work: ProgressWork<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() =>
          abort.abort(new McpSecureError('cancelled', Strings.cancelled)),
        );
        try {
          return await work(abort.signal, (update) => progress.report(update));
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
