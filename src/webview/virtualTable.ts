/**
 * A virtualised table: fixed row height, a spacer as tall as all rows, and only the visible rows
 * (plus a little overscan) in the DOM, recycled on scroll. Rows are fetched from the host in pages
 * and cached until the data changes, so 100k+ rows scroll smoothly.
 */
import { safeLogLine } from '../core/common/safeText';
import { el, formatDuration, formatTime } from './dom';
import type { RowDto } from './protocol';
import { outcomeLabel } from './timelineChart';
import { ws, type WebviewStringKey } from './webviewStrings';

export const ROW_HEIGHT = 22;
const PAGE = 200;
const OVERSCAN = 8;
const MIN_ROWS = 30;

export const COLUMNS: readonly { key: string; label: WebviewStringKey; value(r: RowDto): string }[] = [
  { key: 'time', label: 'time', value: (r) => formatTime(r.time) },
  { key: 'server', label: 'server', value: (r) => r.server },
  { key: 'tool', label: 'tool', value: (r) => r.tool },
  { key: 'user', label: 'user', value: (r) => r.user },
  { key: 'outcome', label: 'outcome', value: (r) => outcomeLabel(r.outcome) },
  { key: 'duration', label: 'duration', value: (r) => formatDuration(r.durationMs) },
];

export type RowFetcher = (offset: number, limit: number) => Promise<{ total: number; rows: readonly RowDto[] }>;

export class VirtualTable {
  /** The grid (role="grid"): the header row and the scrolling viewport. */
  readonly box: HTMLDivElement;
  /** The scrolling viewport. */
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private readonly pages = new Map<number, readonly RowDto[]>();
  private readonly loading = new Set<number>();
  private generation = 0;
  private total = 0;
  private selectedRef: string | undefined;

  constructor(
    private readonly doc: Document,
    private readonly fetchRows: RowFetcher,
    private readonly onSelect: (row: RowDto) => void,
  ) {
    this.spacer = el(doc, 'div', { cls: 'spacer' });
    this.layer = el(doc, 'div', { cls: 'rows', attrs: { role: 'rowgroup' } });
    this.element = el(
      doc,
      'div',
      { cls: 'viewport', attrs: { tabindex: '0', 'aria-label': ws('recordsViewport') } },
      this.spacer,
      this.layer,
    );
    this.box = el(
      doc,
      'div',
      {
        cls: 'table',
        attrs: { role: 'grid', 'aria-label': ws('recordsGrid'), 'aria-rowcount': '1', 'aria-readonly': 'true' },
      },
      el(doc, 'div', { attrs: { role: 'rowgroup' } }, this.header()),
      this.element,
    );
    this.element.addEventListener('scroll', () => this.render());
    this.layer.addEventListener('click', (e) => this.clicked(e.target));
    this.layer.addEventListener('keydown', (e) => this.key(e as KeyboardEvent));
  }

  /** Header row (static): rows are listed newest first, which `aria-sort` on the time column says. */
  header(): HTMLDivElement {
    return el(
      this.doc,
      'div',
      { cls: 'row header', attrs: { role: 'row', 'aria-rowindex': '1' } },
      ...COLUMNS.map((c) =>
        el(this.doc, 'span', {
          cls: `cell ${c.key}`,
          text: ws(c.label),
          attrs: c.key === 'time' ? { role: 'columnheader', 'aria-sort': 'descending' } : { role: 'columnheader' },
        }),
      ),
    );
  }

  get rowCount(): number {
    return this.total;
  }

  /** Forgets cached rows (filter changed or data appended) and re-renders with the new total. */
  reset(total: number): void {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.total = total;
    this.box.setAttribute('aria-rowcount', String(total + 1));
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.render();
  }

  select(ref: string | undefined): void {
    this.selectedRef = ref;
    this.render();
  }

  /** Draws the visible window (only these rows exist in the DOM). */
  render(): void {
    const first = Math.floor(this.element.scrollTop / ROW_HEIGHT);
    const visible = Math.max(MIN_ROWS, Math.ceil(this.element.clientHeight / ROW_HEIGHT)) + OVERSCAN;
    const count = Math.max(0, Math.min(visible, this.total - first));
    while (this.pool.length < count) this.pool.push(this.newRow());
    this.layer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    for (let i = 0; i < this.pool.length; i++) {
      const rowEl = this.pool[i] as HTMLDivElement;
      if (i >= count) {
        if (rowEl.parentNode) this.layer.removeChild(rowEl);
        continue;
      }
      if (!rowEl.parentNode) this.layer.appendChild(rowEl);
      this.fill(rowEl, first + i, this.rowAt(first + i));
    }
  }

  private newRow(): HTMLDivElement {
    return el(
      this.doc,
      'div',
      { cls: 'row', attrs: { role: 'row', tabindex: '-1' } },
      ...COLUMNS.map((c) => el(this.doc, 'span', { cls: `cell ${c.key}`, attrs: { role: 'gridcell' } })),
    );
  }

  private fill(rowEl: HTMLDivElement, index: number, row: RowDto | undefined): void {
    rowEl.dataset.index = String(index);
    rowEl.setAttribute('aria-rowindex', String(index + 2));
    rowEl.className = `row${row ? ` outcome-${row.outcome}` : ' loading'}${row && row.ref === this.selectedRef ? ' selected' : ''}`;
    rowEl.setAttribute('aria-selected', String(!!row && row.ref === this.selectedRef));
    const cells = rowEl.children;
    COLUMNS.forEach((c, k) => {
      // Untrusted names: invisible and reordering characters are shown, not obeyed (the data is unchanged).
      const text = row ? safeLogLine(c.value(row)) : k === 0 ? '…' : '';
      const cell = cells[k] as HTMLElement;
      if (cell.textContent !== text) cell.textContent = text;
      cell.title = text;
    });
  }

  private rowAt(index: number): RowDto | undefined {
    const page = Math.floor(index / PAGE);
    const rows = this.pages.get(page);
    if (!rows) {
      this.load(page);
      return undefined;
    }
    return rows[index - page * PAGE];
  }

  private load(page: number): void {
    if (this.loading.has(page)) return;
    this.loading.add(page);
    const gen = this.generation;
    this.fetchRows(page * PAGE, PAGE).then(
      (res) => {
        if (gen !== this.generation) return;
        this.loading.delete(page);
        this.pages.set(page, res.rows);
        if (res.total !== this.total) this.reset(res.total);
        else this.render();
      },
      () => {
        if (gen === this.generation) this.loading.delete(page);
      },
    );
  }

  /** Enter opens the focused row; ↑/↓ (and Page Up/Down) move the focus, scrolling as needed. */
  private key(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      this.clicked(e.target);
      return;
    }
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 1);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    const index = Number(((e.target as HTMLElement | null)?.closest?.('.row') as HTMLElement | null)?.dataset.index);
    if (!(e.key in step) || !Number.isInteger(index)) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(this.total - 1, index + (step[e.key] as number)));
    const top = next * ROW_HEIGHT;
    const height = this.element.clientHeight;
    if (height > 0 && top < this.element.scrollTop) this.element.scrollTop = top;
    else if (height > 0 && top + ROW_HEIGHT > this.element.scrollTop + height)
      this.element.scrollTop = top + ROW_HEIGHT - height;
    this.render();
    (this.layer.querySelector(`.row[data-index="${next}"]`) as HTMLElement | null)?.focus();
  }

  private clicked(target: EventTarget | null): void {
    const rowEl = (target as HTMLElement | null)?.closest?.('.row') as HTMLElement | null;
    const index = Number(rowEl?.dataset.index);
    if (!Number.isInteger(index)) return;
    const row = this.rowAt(index);
    if (row) {
      this.select(row.ref);
      this.onSelect(row);
    }
  }
}
