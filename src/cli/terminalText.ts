import { escapeControls } from '../core/common/safeText';

/**
 * Text for a terminal. Server-controlled strings (tool names and output, error messages, server
 * names, URLs) must not drive the terminal: an ESC/CSI/OSC sequence can retitle the window, clear the
 * screen, rewrite earlier lines or plant clickable OSC 8 links, and a carriage return or bidi control
 * can make a line read differently than it is (Unicode TR #36 §2.5, "Trojan Source").
 *
 * The characters are core's own safe-text set (`escapeControls` in src/core/common/safeText.ts: C0 and
 * C1 controls including the single-byte CSI U+009B, DEL, line/paragraph separators, bidi marks,
 * embeddings, overrides and isolates, zero-width and tag characters); what is terminal-specific is the
 * rendering: tab and newline are kept, everything else becomes a visible `\uXXXX` escape per UTF-16
 * unit, which inside JSON text is a valid escape too.
 */
const KEPT = '\t\n';

function unicodeEscape(character: string): string {
  let out = '';
  for (let i = 0; i < character.length; i++) out += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** `text` with every terminal-controlling character shown as a `\uXXXX` escape. */
export function toTerminalText(text: string): string {
  return escapeControls(text, unicodeEscape, KEPT);
}

/** `toTerminalText` of a server-supplied value bounded to `max` characters (`…` marks a cut). */
export function boundedTerminalText(text: string, max = 4000): string {
  const bounded = text.length > max ? `${text.slice(0, max)}\u2026` : text;
  return toTerminalText(bounded);
}
