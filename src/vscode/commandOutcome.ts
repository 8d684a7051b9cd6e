/**
 * How a command ends, for every command of the extension: the value, a quiet cancellation, or a failure
 * shown once. No runtime `vscode` import here (the editor is reached through `FailureSink`), so the rules
 * are unit-tested in plain Node.
 */
import { safeText } from '../core/common/safeText';
import { isMcpSecureError } from '../core/errors';
import type { Logger } from '../core/ports';
import { Strings } from './strings';

/** Where a failed command is reported: the log, and an error notification (`vscode.window.showErrorMessage`). */
export interface FailureSink {
  readonly logger: Logger;
  readonly showError: (message: string) => void;
}

/**
 * The name and the message of VS Code's `CancellationError` (`vscode.CancellationError`). An error thrown
 * in the editor's main thread reaches the extension host as a plain `Error` with both kept, so it is
 * recognised by them, as VS Code's own `isCancellationError` does.
 */
const CANCELED = 'Canceled';

/** True for the ways an operation ends because the user said no (or pressed Cancel, or Escape). */
export function isCancellation(e: unknown): boolean {
  return (
    isMcpSecureError(e, 'cancelled') ||
    isMcpSecureError(e, 'authorization_cancelled') ||
    (e instanceof Error && e.name === 'AbortError') ||
    (e instanceof Error && e.name === CANCELED && e.message === CANCELED)
  );
}

/**
 * Reports a failed user action: cancellations are logged at debug level and not shown, secret-storage
 * failures get their own message, everything else is shown as plain text (no markdown links, no
 * `command:` URIs) and logged.
 */
export function reportFailure(sink: FailureSink, what: string, e: unknown): void {
  if (isCancellation(e)) {
    sink.logger.debug(`${what}: cancelled`);
    return;
  }
  sink.logger.error(`${what} failed`, e);
  const why = isMcpSecureError(e, 'secret_store_failed') ? Strings.secretStoreFailed : safeText(e);
  sink.showError(Strings.operationFailed(what, why));
}

/**
 * Runs one command handler. A dismissed picker, input box or confirmation is a normal outcome, not an
 * error: VS Code would show any rejection of a command as "Running the contributed command … resulted in
 * an error", so a cancellation (see `isCancellation`) resolves instead.
 *
 * @param title names the task in a failure notification (read only when one is shown, so it is in the
 *   user's language).
 * @returns the handler's value; `undefined` when the user cancelled (logged at debug level, nothing shown).
 *   A handler whose success has a value never resolves to `undefined` itself, so callers (`executeCommand`,
 *   tests) can tell a dismissal from a result.
 * @throws every other failure, after it was logged and shown once, so programmatic callers see the typed
 *   error too.
 */
export async function runCommand<T>(
  sink: FailureSink,
  title: () => string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    reportFailure(sink, title(), e);
    if (isCancellation(e)) return undefined;
    throw e;
  }
}
