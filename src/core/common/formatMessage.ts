/**
 * Fills `{0}`, `{1}` … in a message with its arguments, exactly as `vscode.l10n.t` does: one pass, so an
 * argument that itself contains `{1}` is never expanded again, and a placeholder without an argument
 * stays as written. Used where `vscode.l10n.t` is not available: the webview (its strings come
 * translated from the host) and plain-Node tests of the extension layer. No imports, so the webview may
 * use it too.
 */
export function formatMessage(message: string, ...args: readonly (string | number | boolean)[]): string {
  return message.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? placeholder : String(arg);
  });
}
