import * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import { Strings } from './strings';

/** A task's status as the progress notification shows it (MCP 2025-11-25 §Utilities/Tasks). */
export interface TaskStatusView {
  readonly taskId: string;
  readonly status: string;
  readonly statusMessage?: string;
}

/** Sees each status the notification shows, with the notification's own cancel (the test seam). */
export type TaskWatcher = (status: TaskStatusView, cancel: () => void) => void;

/**
 * Runs a task tool's call under a cancellable notification: each status change (and the server's status
 * message) becomes the notification's message; cancelling aborts the call, which sends `tasks/cancel`.
 */
export function withTaskProgress<T>(
  title: string,
  work: (signal: AbortSignal, onStatus: (status: TaskStatusView) => void) => Promise<T>,
  watch?: TaskWatcher,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = (): void => abort.abort(new McpSecureError('cancelled', Strings.cancelled));
        const sub = token.onCancellationRequested(cancel);
        const onStatus = (s: TaskStatusView): void => {
          progress.report({ message: Strings.taskStatus(s.status, s.statusMessage ?? '') });
          watch?.(s, cancel);
        };
        try {
          return await work(abort.signal, onStatus);
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}
