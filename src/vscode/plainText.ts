/**
 * Turns untrusted text (server errors, tool output, names) into plain text for notifications:
 * markdown links lose their target, `command:` and other URIs that could act are removed, brackets
 * and backticks that could rebuild a link are dropped, and the length is bounded.
 */
const MAX_LENGTH = 500;
// C0 controls, DEL, and the bidi overrides/isolates that can make text read differently than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function toPlainText(untrusted: unknown, max = MAX_LENGTH): string {
  let text = typeof untrusted === 'string' ? untrusted : untrusted instanceof Error ? untrusted.message : String(untrusted);
  text = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [label](target) -> label
    .replace(/<((?:command|vscode|file|javascript|data):[^>]*)>/gi, '')
    .replace(/\b(?:command|vscode-insiders|vscode|javascript|data):[^\s)\]]*/gi, '')
    .replace(/\$\([a-z0-9-~]+\)/gi, '') // codicon syntax
    .replace(CONTROL_CHARS, ' ')
    .replace(/[[\]`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
