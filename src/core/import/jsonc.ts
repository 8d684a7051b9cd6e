/**
 * JSON with comments (JSONC), the format of VS Code's and Cursor's `mcp.json`: comments outside
 * strings and trailing commas are dropped before `JSON.parse` (the rest is RFC 8259 JSON).
 */
export function stripJsonComments(text: string): string {
  const withoutComments = rewriteOutsideStrings(text, (i) => {
    if (text[i] === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      return { next: i + 1, emit: '\n' };
    }
    if (text[i] === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      return { next: close < 0 ? text.length : close + 2, emit: '' };
    }
    return undefined;
  });
  return dropTrailingCommas(withoutComments);
}

/** Drop a comma followed only by whitespace and `}` or `]`, outside strings. */
function dropTrailingCommas(text: string): string {
  return rewriteOutsideStrings(text, (i) =>
    text[i] === ',' && /[}\]]/.test(text[nextNonSpace(text, i + 1)] ?? '') ? { next: i + 1, emit: '' } : undefined,
  );
}

/**
 * Copies `text`, keeping RFC 8259 string literals (with their escapes) intact; outside strings,
 * `rewrite(i)` may replace the text from `i` up to `next` with `emit` (undefined: copy the character).
 */
function rewriteOutsideStrings(
  text: string,
  rewrite: (i: number) => { next: number; emit: string } | undefined,
): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') inString = true;
    const replaced = c === '"' ? undefined : rewrite(i);
    if (replaced) {
      out += replaced.emit;
      i = replaced.next;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function nextNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}
