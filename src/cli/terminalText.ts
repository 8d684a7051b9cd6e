/**
 * Text for a terminal. Server-controlled strings (tool names and output, error messages, server
 * names, URLs) must not drive the terminal: an ESC/CSI/OSC sequence can retitle the window, clear the
 * screen, rewrite earlier lines or plant clickable OSC 8 links, and a carriage return or bidi control
 * can make a line read differently than it is (Unicode TR #36 §2.5, "Trojan Source").
 * Every C0 control except tab and newline, DEL, every C1 control (U+0080–U+009F, including the
 * single-byte CSI U+009B), line/paragraph separators, bidi embeddings/overrides/isolates and
 * zero-width characters become a visible `\uXXXX` escape. Inside JSON text that is a valid escape too.
 */
const TERMINAL_UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** `text` with every terminal-controlling character shown as a `\uXXXX` escape. */
export function toTerminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
