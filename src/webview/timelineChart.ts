/**
 * Calls over time, stacked by outcome: a plain SVG bar chart of the buckets the host aggregated
 * (HistogramDto; a few hundred numbers, never rows). Colours come from the theme through CSS classes
 * (media/audit/audit.css: `--vscode-charts-*`), so a theme change needs no redraw.
 *
 * Mouse: drag across the plot to zoom into a time range (a brush); click a bar to zoom into its bucket.
 * Keyboard: the bars are one tab stop (roving tabindex); ←/→, Home/End move between them, Enter or
 * Space zooms into the focused bucket, Escape resets the zoom. Every bar has an accessible name saying
 * its time range and counts; the chart's label summarises the whole picture.
 */
import { OUTCOME_KINDS, type HistogramDto, type OutcomeKind } from './protocol';
import { plural, ws, type WebviewStringKey } from './webviewStrings';

const SVG_NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 150;
/** In a narrow panel (the side bar) the chart is shorter, leaving room for the table. */
const NARROW_HEIGHT = 96;
const NARROW_WIDTH = 560;
const MARGIN = { top: 8, right: 10, bottom: 20, left: 44 };
/** A drag shorter than this (px) is a click. */
const MIN_BRUSH_PX = 4;
const FALLBACK_WIDTH = 640;

const OUTCOME_LABEL_KEYS: Readonly<Record<OutcomeKind, WebviewStringKey>> = {
  success: 'outcomeSuccess',
  tool_error: 'outcomeToolError',
  denied: 'outcomeDenied',
  transport_error: 'outcomeTransportError',
};

/** How an outcome reads in the panel ("tool error"). */
export function outcomeLabel(kind: OutcomeKind): string {
  return ws(OUTCOME_LABEL_KEYS[kind]);
}

export interface TimelineHandlers {
  /** A time range was chosen (brush, bar click, Enter on a bar): `to` is inclusive. */
  zoom(from: number, to: number): void;
  /** Escape on the chart. */
  reset(): void;
}

function svg<K extends keyof SVGElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const e = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** UTC label of a bucket start, as precise as the bucket width needs. */
export function timeLabel(ms: number, bucketMs: number): string {
  const iso = new Date(ms).toISOString();
  if (bucketMs >= 86_400_000) return iso.slice(0, 10);
  if (bucketMs >= 60_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 19);
}

/** One formatter for every number (`toLocaleString` builds a new one per call: slow for 1,000 labels). */
const NUMBER = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => NUMBER.format(n);

/** "1 call", "12 calls". */
export const callsText = (n: number): string => plural(n, 'callsOne', 'callsOther', formatCount(n));

/** "12 calls: 10 success, 2 denied" (zero outcomes left out). */
export function countsText(counts: readonly number[]): string {
  const total = counts.reduce((a, b) => a + b, 0);
  const parts = OUTCOME_KINDS.flatMap((k, o) =>
    (counts[o] ?? 0) > 0 ? [ws('outcomeCount', formatCount(counts[o] ?? 0), outcomeLabel(k))] : [],
  );
  return parts.length ? ws('countsWithOutcomes', callsText(total), parts.join(', ')) : callsText(total);
}

export class TimelineChart {
  readonly element: HTMLDivElement;
  private readonly svgEl: SVGSVGElement;
  private data: HistogramDto | undefined;
  private focusIndex = 0;
  private drag: { x0: number; x1: number } | undefined;
  private width = FALLBACK_WIDTH;
  private height = HEIGHT;
  private brush: SVGRectElement | undefined;

  constructor(
    private readonly doc: Document,
    private readonly handlers: TimelineHandlers,
  ) {
    this.element = doc.createElement('div');
    this.element.className = 'timeline';
    this.svgEl = svg(doc, 'svg', {
      class: 'timeline-svg',
      role: 'group',
      'aria-roledescription': ws('barsRole'),
      height: HEIGHT,
    });
    this.element.appendChild(this.svgEl);
    this.svgEl.addEventListener('mousedown', (e) => this.dragStart(e));
    this.svgEl.addEventListener('mousemove', (e) => this.dragMove(e));
    this.svgEl.addEventListener('mouseup', (e) => this.dragEnd(e));
    this.svgEl.addEventListener('mouseleave', () => this.dragCancel());
    this.svgEl.addEventListener('keydown', (e) => this.key(e));
  }

  /** Draws `h` (call again on resize: it measures the container). */
  render(h: HistogramDto): void {
    const started = performance.now();
    const previous = this.data;
    this.data = h;
    this.width = Math.max(240, Math.floor(this.element.clientWidth || FALLBACK_WIDTH));
    this.height = this.width < NARROW_WIDTH ? NARROW_HEIGHT : HEIGHT;
    this.svgEl.setAttribute('height', String(this.height));
    const s = this.svgEl;
    const hadFocus = s.contains(this.doc.activeElement);
    // New data and no keyboard user inside: the tab stop goes to the latest bar with calls.
    if (!hadFocus && h !== previous) this.focusIndex = lastNonEmpty(h.counts);
    while (s.firstChild) s.removeChild(s.firstChild);
    s.setAttribute('width', String(this.width));
    s.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
    s.setAttribute('aria-label', this.summary(h));
    const n = h.counts.length;
    if (n === 0) {
      s.appendChild(
        svg(this.doc, 'text', { class: 'empty', x: this.width / 2, y: this.height / 2, 'text-anchor': 'middle' }),
      ).textContent = ws('noCalls');
      return;
    }
    const max = Math.max(1, ...h.counts.map((c) => c.reduce((a, b) => a + b, 0)));
    this.axes(max);
    this.focusIndex = Math.min(this.focusIndex, n - 1);
    const bars = svg(this.doc, 'g', { class: 'bars' });
    for (let k = 0; k < n; k++) bars.appendChild(this.bar(k, h.counts[k] ?? [], max));
    s.appendChild(bars);
    this.brush = svg(this.doc, 'rect', {
      class: 'brush',
      x: 0,
      y: MARGIN.top,
      width: 0,
      height: this.plotHeight(),
      visibility: 'hidden',
    });
    s.appendChild(this.brush);
    if (hadFocus) this.bars()[this.focusIndex]?.focus();
    this.element.dataset.renderMs = (performance.now() - started).toFixed(2);
  }

  /** The bar elements (tests). */
  bars(): SVGGElement[] {
    return [...this.svgEl.querySelectorAll<SVGGElement>('g.bucket')];
  }

  private summary(h: HistogramDto): string {
    if (h.counts.length === 0) return ws('summaryEmpty');
    const end = h.start + h.counts.length * h.bucketMs;
    const busiest = h.counts.reduce(
      (best, c, k) => (c.reduce((a, b) => a + b, 0) > (h.counts[best] ?? []).reduce((a, b) => a + b, 0) ? k : best),
      0,
    );
    const outcomes = countsText(OUTCOME_KINDS.map((k) => h.outcomes[k]));
    return ws(
      'summary',
      timeLabel(h.start, h.bucketMs),
      timeLabel(end, h.bucketMs),
      plural(h.counts.length, 'barsOne', 'barsOther', formatCount(h.counts.length)),
      durationText(h.bucketMs),
      outcomes,
      timeLabel(h.start + busiest * h.bucketMs, h.bucketMs),
      callsText((h.counts[busiest] ?? []).reduce((a, b) => a + b, 0)),
    );
  }

  private plotHeight(): number {
    return this.height - MARGIN.top - MARGIN.bottom;
  }

  private slot(): number {
    return (this.width - MARGIN.left - MARGIN.right) / Math.max(1, this.data?.counts.length ?? 1);
  }

  private axes(max: number): void {
    const d = this.doc;
    const g = svg(d, 'g', { class: 'axes', 'aria-hidden': 'true' });
    const ph = this.plotHeight();
    for (const v of new Set([0, Math.round(max / 2), max])) {
      const y = MARGIN.top + ph - (v / max) * ph;
      g.appendChild(svg(d, 'line', { class: 'grid', x1: MARGIN.left, x2: this.width - MARGIN.right, y1: y, y2: y }));
      g.appendChild(svg(d, 'text', { class: 'tick', x: MARGIN.left - 4, y: y + 4, 'text-anchor': 'end' })).textContent =
        formatCount(v);
    }
    const h = this.data as HistogramDto;
    const n = h.counts.length;
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((this.width - MARGIN.left) / 110))));
    for (let k = 0; k < n; k += every) {
      const x = MARGIN.left + k * this.slot();
      g.appendChild(
        svg(d, 'text', { class: 'tick', x, y: this.height - 5, 'text-anchor': k === 0 ? 'start' : 'middle' }),
      ).textContent = timeLabel(h.start + k * h.bucketMs, h.bucketMs);
    }
    this.svgEl.appendChild(g);
  }

  private bar(k: number, counts: readonly number[], max: number): SVGGElement {
    const d = this.doc;
    const h = this.data as HistogramDto;
    const slot = this.slot();
    const x = MARGIN.left + k * slot;
    const w = Math.max(1, slot - (slot > 4 ? 1 : 0));
    const ph = this.plotHeight();
    const start = h.start + k * h.bucketMs;
    const label = ws(
      'barLabel',
      timeLabel(start, h.bucketMs),
      timeLabel(start + h.bucketMs, h.bucketMs),
      countsText(counts),
    );
    const g = svg(d, 'g', {
      class: 'bucket',
      role: 'button',
      tabindex: k === this.focusIndex ? 0 : -1,
      'aria-label': label,
      'data-index': k,
    });
    g.appendChild(svg(d, 'title')).textContent = label;
    g.appendChild(svg(d, 'rect', { class: 'hit', x, y: MARGIN.top, width: Math.max(1, slot), height: ph }));
    let y = MARGIN.top + ph;
    OUTCOME_KINDS.forEach((kind, o) => {
      const c = counts[o] ?? 0;
      if (c === 0) return;
      const hgt = Math.max(1, (c / max) * ph);
      y -= hgt;
      g.appendChild(svg(d, 'rect', { class: `seg outcome-${kind}`, x, y, width: w, height: hgt }));
    });
    return g;
  }

  private localX(e: MouseEvent): number {
    const box = this.svgEl.getBoundingClientRect();
    const scale = box.width > 0 ? this.width / box.width : 1;
    return Math.max(MARGIN.left, Math.min(this.width - MARGIN.right, (e.clientX - box.left) * scale));
  }

  private timeAt(x: number): number {
    const h = this.data as HistogramDto;
    return h.start + ((x - MARGIN.left) / (this.width - MARGIN.left - MARGIN.right)) * h.counts.length * h.bucketMs;
  }

  private dragStart(e: MouseEvent): void {
    if (!this.data || this.data.counts.length === 0 || e.button !== 0) return;
    const x = this.localX(e);
    this.drag = { x0: x, x1: x };
  }

  private dragMove(e: MouseEvent): void {
    if (!this.drag || !this.brush) return;
    this.drag.x1 = this.localX(e);
    const [a, b] = [Math.min(this.drag.x0, this.drag.x1), Math.max(this.drag.x0, this.drag.x1)];
    this.brush.setAttribute('x', String(a));
    this.brush.setAttribute('width', String(b - a));
    this.brush.setAttribute('visibility', b - a >= MIN_BRUSH_PX ? 'visible' : 'hidden');
  }

  private dragEnd(e: MouseEvent): void {
    const drag = this.drag;
    this.dragCancel();
    if (!drag || !this.data) return;
    drag.x1 = this.localX(e);
    if (Math.abs(drag.x1 - drag.x0) >= MIN_BRUSH_PX) {
      const [a, b] = [Math.min(drag.x0, drag.x1), Math.max(drag.x0, drag.x1)];
      this.handlers.zoom(Math.floor(this.timeAt(a)), Math.ceil(this.timeAt(b)) - 1);
      return;
    }
    const k = Number((e.target as Element | null)?.closest?.('g.bucket')?.getAttribute('data-index'));
    if (Number.isInteger(k)) this.pick(k);
  }

  private dragCancel(): void {
    this.drag = undefined;
    this.brush?.setAttribute('visibility', 'hidden');
  }

  /** Zooms into bucket `k` (its whole time range). */
  pick(k: number): void {
    const h = this.data;
    if (!h || k < 0 || k >= h.counts.length) return;
    this.focusIndex = k;
    const start = h.start + k * h.bucketMs;
    this.handlers.zoom(start, start + h.bucketMs - 1);
  }

  private key(e: KeyboardEvent): void {
    const n = this.data?.counts.length ?? 0;
    if (n === 0) return;
    // The bar the key was pressed on (a click may have focused another one than the tab stop).
    const at = Number((e.target as Element | null)?.closest?.('g.bucket')?.getAttribute('data-index'));
    if (Number.isInteger(at) && at >= 0 && at < n) this.focusIndex = at;
    const moves: Record<string, number> = {
      ArrowRight: this.focusIndex + 1,
      ArrowLeft: this.focusIndex - 1,
      Home: 0,
      End: n - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      this.moveFocus(Math.max(0, Math.min(n - 1, moves[e.key] as number)));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.pick(this.focusIndex);
    } else if (e.key === 'Escape') {
      this.handlers.reset();
    }
  }

  private moveFocus(k: number): void {
    const bars = this.bars();
    for (const b of bars) b.setAttribute('tabindex', '-1');
    this.focusIndex = k;
    const bar = bars[k];
    bar?.setAttribute('tabindex', '0');
    bar?.focus();
  }
}

/** "5 minutes", "1 day". */
export function durationText(ms: number): string {
  const units: [number, WebviewStringKey, WebviewStringKey][] = [
    [86_400_000, 'daysOne', 'daysOther'],
    [3_600_000, 'hoursOne', 'hoursOther'],
    [60_000, 'minutesOne', 'minutesOther'],
    [1000, 'secondsOne', 'secondsOther'],
  ];
  for (const [size, one, other] of units)
    if (ms >= size && ms % size === 0) return plural(ms / size, one, other, formatCount(ms / size));
  return ws('milliseconds', ms);
}

/** Index of the last bucket holding any call (0 when none does). */
function lastNonEmpty(counts: readonly (readonly number[])[]): number {
  for (let k = counts.length - 1; k >= 0; k--) if ((counts[k] ?? []).some((c) => c > 0)) return k;
  return 0;
}
