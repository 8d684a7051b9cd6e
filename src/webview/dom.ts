import { safeLogLine } from '../core/common/safeText';

/**
 * Tiny DOM helpers. Text is only ever set with `textContent` (never innerHTML), so values from
 * records, servers or tools cannot become markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  opts: { cls?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (opts.cls) e.className = opts.cls;
  if (opts.text !== undefined) e.textContent = opts.text;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) e.setAttribute(k, v);
  for (const c of children) e.appendChild(c);
  return e;
}

/** Replaces a select's options (text set via textContent/value properties; `label` words a value). */
export function setOptions(
  select: HTMLSelectElement,
  allLabel: string,
  values: readonly string[],
  label: (value: string) => string = safeLogLine,
): void {
  const current = select.value;
  while (select.firstChild) select.removeChild(select.firstChild);
  const all = select.ownerDocument.createElement('option');
  all.value = '';
  all.textContent = allLabel;
  select.appendChild(all);
  for (const v of values) {
    const o = select.ownerDocument.createElement('option');
    o.value = v;
    o.textContent = label(v);
    select.appendChild(o);
  }
  select.value = values.includes(current) ? current : '';
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime())
    ? ''
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, 'Z');
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

/**
 * Untrusted text for display: invisible and reordering characters (bidi overrides, zero-width
 * characters, controls) become a visible U+FFFD per line, so a name reads as what it is; line breaks
 * are kept. The data behind it (filters, exports) is never changed.
 */
export function displayText(text: string): string {
  return text
    .split('\n')
    .map((line) => safeLogLine(line))
    .join('\n');
}
