import * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import type { Logger } from '../core/ports';
import type { FailureSink } from './commandOutcome';
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

/** The editor side of `FailureSink`: failures are logged to `logger` and shown as an error notification. */
export function editorFailureSink(logger: Logger): FailureSink {
  return { logger, showError: (message) => void vscode.window.showErrorMessage(message) };
}
