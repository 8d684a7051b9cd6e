/**
 * The one safe-text function: every server-, token- or workspace-supplied value (server and tool names,
 * account labels taken from unverified token claims, error text, imported `.vscode/mcp.json` values,
 * scopes, URLs) passes through `safeText` before it reaches an editor surface — notifications, progress
 * titles, modals, quick picks, tree items, hovers, the status bar — or the webview.
 *
 * Why: VS Code renders `[label](command:id?args)` in notifications and progress messages as a link that
 * runs a command with arguments, `$(name)` as an icon in quick picks and labels, and markdown (links,
 * autolinks, HTML) in hovers. Bidirectional overrides and invisible characters make text read
 * differently from what it is (CVE-2021-42574 "Trojan Source"; Unicode TR #36 §2 and UTS #39 §4).
 *
 * No `node:` imports: the webview bundle may use it too.
 */

/** Default bound on the length of one untrusted value (UI text, not documents). */
export const SAFE_TEXT_MAX = 500;

/** Line breaks and other whitespace controls: become one space (text is single-line afterwards). */
const WHITESPACE = /[\t\n\v\f\r\u0085\u2028\u2029\s]+/g;

/**
 * Characters that must never reach a surface as they are, each run shown as U+FFFD so that tampering
 * stays visible instead of silently changing the reading order:
 * C0 controls and DEL, C1 controls, soft hyphen, Arabic letter mark, the bidi marks (LRM, RLM),
 * embeddings/overrides (LRE…RLO, PDF), isolates (LRI…PDI), zero-width space/non-joiner/joiner, word
 * joiner and the invisible operators, the BOM / zero-width no-break space, the interlinear annotation
 * characters, and the Unicode tag characters U+E0000–U+E007F (invisible "ASCII smuggling").
 */
const INVISIBLE_CHARACTER = String.raw`[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]`;
const INVISIBLE = new RegExp(`(?:${INVISIBLE_CHARACTER})+`, 'g');
/** Line breaks and the other whitespace controls that `INVISIBLE` leaves to `WHITESPACE`. */
const LINE_CONTROL = String.raw`[\t\n\v\f\r\u0085\u2028\u2029]`;
/** One control, invisible or reordering character: `INVISIBLE` plus the line controls. */
const CONTROL_CHARACTER = new RegExp(`${INVISIBLE_CHARACTER}|${LINE_CONTROL}`, 'g');

/**
 * Every control, invisible or reordering character of `text` (C0/C1 controls including line breaks,
 * bidi marks/overrides/isolates, zero-width and tag characters — the `safeText` set plus line
 * controls) written by `escape`, except the characters in `keep`. For surfaces that must show such a
 * character instead of dropping it: confirmations (`safeVerbatim`) and the CLI's terminal output.
 */
export function escapeControls(text: string, escape: (character: string) => string, keep = ''): string {
  return text.replace(CONTROL_CHARACTER, (c) => (keep.includes(c) ? c : escape(c)));
}

/** Markdown inline links and images: `[label](target)` and `![alt](src)` keep only their label. */
const INLINE_LINK = /!?\[([^\]]*)\]\([^)]*\)/g;
/** Reference-style link definitions: `[ref]: target …` disappear entirely. */
const LINK_DEFINITION = /\[[^\]]*\]:\s*\S+/g;
/**
 * URIs whose opening could act inside the editor or on the machine — commands, the editor's own URI
 * handlers (which route to any installed extension), local files, scripts and inline data — are
 * removed wherever they appear (bare, in autolinks, or left over from a link).
 */
const ACTIVE_URI = /\b(?:command|vscode(?:-[a-z]+)?|code-oss|file|javascript|vbscript|data|ms-[a-z-]+):[^\s<>()'"`]+/gi;
/** Codicon syntax `$(name)` / `$(name~spin)`: removed; a lone `$(` left over is split apart. */
const CODICON = /\$\([^)\s]{0,64}\)/g;
const CODICON_OPEN = /\$\(/g;
/**
 * Characters that build link or code-span syntax; angle brackets become inert look-alikes. Removed
 * syntax is replaced by a space, never by nothing, so that a removal cannot join its neighbours into
 * a new link, URI or codicon (`comm[and:x`, `$[(alert)`).
 */
const LINK_SYNTAX = /[[\]`]/g;
const ANGLE_OPEN = /</g;
const ANGLE_CLOSE = />/g;

/**
 * Turns an untrusted value into plain, single-line text that no editor surface can turn into a link,
 * an icon or hidden/reordered text, and bounds its length (`…` marks a cut).
 *
 * - markdown links keep their label; reference-style definitions, autolinks and bare `command:`,
 *   `vscode:`, `file:`, `javascript:`, `data:` … URIs are removed; `[`, `]` and backticks are dropped;
 *   `<`/`>` become `‹`/`›`, so no HTML tag or autolink survives;
 * - codicon syntax `$(…)` is removed;
 * - C0/C1 controls, bidi marks/overrides/isolates, zero-width characters and tag characters become `�`;
 *   whitespace (also line breaks) collapses to one space.
 *
 * Idempotent: `safeText(safeText(x)) === safeText(x)` for the same `max`.
 */
export function safeText(untrusted: unknown, max = SAFE_TEXT_MAX): string {
  const limit = Math.max(1, Math.floor(max));
  // Bound the work before the regular expressions run; removals only shorten the text.
  let text = describe(untrusted).slice(0, limit * 4 + 256);
  text = text
    .replace(INVISIBLE, '\uFFFD')
    .replace(WHITESPACE, ' ')
    .replace(INLINE_LINK, '$1')
    .replace(LINK_DEFINITION, ' ')
    .replace(LINK_SYNTAX, ' ')
    .replace(ACTIVE_URI, ' ')
    .replace(CODICON, ' ')
    .replace(CODICON_OPEN, '$ (')
    .replace(ANGLE_OPEN, '\u2039')
    .replace(ANGLE_CLOSE, '\u203A')
    .replace(/ {2,}/g, ' ')
    .trim();
  return text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}\u2026` : text;
}

/**
 * Multi-line variant for surfaces that show line breaks as such (plain-text tooltips, modal details):
 * each line goes through `safeText`, empty lines are kept, at most `maxLines` lines.
 */
export function safeLines(untrusted: unknown, max = SAFE_TEXT_MAX, maxLines = 40): string {
  const lines = describe(untrusted)
    .slice(0, max * 4 + 256)
    .split(/\r\n|[\n\r\u2028\u2029]/);
  const kept = lines.slice(0, maxLines).map((line) => safeText(line, max));
  return lines.length > maxLines ? [...kept, '\u2026'].join('\n') : kept.join('\n');
}

/**
 * For surfaces that render nothing as markup (log lines in an output channel): only the invisible
 * and reordering characters and line breaks are neutralised, so one record stays one line and reads
 * as it is, while brackets and URLs of ordinary log text are kept.
 */
export function safeLogLine(text: string): string {
  return text.replace(INVISIBLE, '\uFFFD').replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, ' \u21B5 ');
}

/**
 * Text already made inert WITHOUT losing anything (`safeJson`, `safeVerbatim`), for confirmations that
 * must show exactly what will run or be sent. `Strings` interpolates it as it is.
 */
export interface Inert {
  readonly text: string;
  toString(): string;
}

/** Inside a JSON string literal: link, code-span, HTML and codicon syntax plus invisible characters. */
const JSON_UNSAFE =
  /[[\]()<>$`\u0080-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/g;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * Exact but inert JSON for a confirmation that must show precisely what will be sent (tool arguments):
 * pretty-printed, and inside string literals every character that could build a link, an HTML tag or a
 * codicon, and every invisible or reordering character, is written as a `\uXXXX` escape — the same
 * value, shown unambiguously. Outside strings JSON has only structural brackets, which never form link
 * syntax (`](`, `][`, `]:` cannot occur). Longer than `max`: cut, and the cut is said.
 */
export function safeJson(value: unknown, max = 4000): Inert {
  let json: string;
  try {
    json = JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    json = '"(not serialisable)"';
  }
  const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  const escaped = json.replace(JSON_STRING, (literal) =>
    literal
      .replace(ACTIVE_SCHEME_COLON, (_m, scheme: string) => `${scheme}${escape(':')}`)
      .replace(JSON_UNSAFE, escape),
  );
  return inert(
    escaped.length > max
      ? `${escaped.slice(0, max)}\n\u2026 (${escaped.length - max} more characters not shown)`
      : escaped,
  );
}

/** Backslash escapes for everything that could build a link, a tag, a code span or a codicon. */
const VERBATIM_SYNTAX = /[\\[\]()<>`$]/g;
/** The colon of an active URI scheme (`command:`, `file:` …), so that no such URI survives even bare. */
const ACTIVE_SCHEME_COLON = /\b(command|vscode(?:-[a-z]+)?|code-oss|file|javascript|vbscript|data|ms-[a-z-]+):/gi;

/**
 * Exact but inert text, for a confirmation that must show precisely what will run (a stdio command
 * line): nothing is removed. Backslash, brackets, parentheses, angle brackets, backticks, `$` and the
 * colon of an active URI scheme get a backslash (Markdown's own escape: where markdown is rendered the reader sees the original
 * characters; where it is not, the escapes are visible and unambiguous), and invisible, control and
 * reordering characters appear as `\u{XXXX}`. So `$(whoami)` can neither render as an icon nor vanish,
 * and `command:` never forms a URI. Longer than `max`: cut, and the cut is said.
 */
export function safeVerbatim(untrusted: unknown, max = 4000): Inert {
  const source = describe(untrusted);
  const escaped = source
    .slice(0, max)
    .replace(VERBATIM_SYNTAX, (c) => `\\${c}`)
    .replace(ACTIVE_SCHEME_COLON, '$1\\:');
  const shown = escapeControls(escaped, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
  return inert(source.length > max ? `${shown} \u2026 (${source.length - max} more characters not shown)` : shown);
}

function inert(text: string): Inert {
  return { text, toString: () => text };
}

function describe(untrusted: unknown): string {
  if (typeof untrusted === 'string') return untrusted;
  if (untrusted instanceof Error) return untrusted.message;
  if (untrusted === undefined || untrusted === null) return '';
  try {
    return String(untrusted);
  } catch {
    return '';
  }
}
