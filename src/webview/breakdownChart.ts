/**
 * Calls by server, tool and caller: one list of horizontal bars per dimension (bars compare better
 * than pie slices and stay readable in a narrow panel). Each entry is a button: clicking it (or Enter /
 * Space) filters the table to that value, clicking it again removes the filter (`aria-pressed` says
 * which is active); ↑/↓ move between the entries of a list. Names are untrusted: set with textContent
 * after invisible and reordering characters are neutralised.
 */
import { safeLogLine } from '../core/common/safeText';
import { el } from './dom';
import type { BreakdownDto, HistogramDto } from './protocol';
import { callsText, formatCount } from './timelineChart';
import { ws, type WebviewStringKey } from './webviewStrings';

export type BreakdownDimension = 'server' | 'tool' | 'caller';

interface Dimension {
  readonly key: BreakdownDimension;
  /** The list's heading, its group label and the title of an entry that removes the filter. */
  readonly title: WebviewStringKey;
  readonly group: WebviewStringKey;
  readonly showEvery: WebviewStringKey;
  pick(h: HistogramDto): BreakdownDto;
}

const DIMENSIONS: readonly Dimension[] = [
  { key: 'server', title: 'servers', group: 'callsByServer', showEvery: 'showEveryServer', pick: (h) => h.servers },
  { key: 'tool', title: 'tools', group: 'callsByTool', showEvery: 'showEveryTool', pick: (h) => h.tools },
  { key: 'caller', title: 'callers', group: 'callsByCaller', showEvery: 'showEveryCaller', pick: (h) => h.callers },
];

export class BreakdownChart {
  readonly element: HTMLDivElement;

  constructor(
    private readonly doc: Document,
    private readonly onPick: (dimension: BreakdownDimension, value: string) => void,
  ) {
    this.element = el(doc, 'div', { cls: 'breakdown' });
    this.element.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement | null)?.closest?.('button.slice') as HTMLButtonElement | null;
      if (b?.dataset.dim && b.dataset.value !== undefined)
        this.onPick(b.dataset.dim as BreakdownDimension, b.dataset.value);
    });
    this.element.addEventListener('keydown', (e) => this.key(e));
  }

  /** Draws the three lists; `active` holds the current filter value per dimension. */
  render(h: HistogramDto, active: Partial<Record<BreakdownDimension, string>>): void {
    const d = this.doc;
    const focused = (this.doc.activeElement as HTMLElement | null)?.closest?.('button.slice') as HTMLElement | null;
    const refocus =
      focused && this.element.contains(focused) ? `${focused.dataset.dim}\u0000${focused.dataset.value}` : undefined;
    while (this.element.firstChild) this.element.removeChild(this.element.firstChild);
    for (const dim of DIMENSIONS) {
      const b = dim.pick(h);
      const max = Math.max(1, ...b.top.map((e) => e.count));
      const list = el(d, 'div', { cls: 'slices', attrs: { role: 'group', 'aria-label': ws(dim.group) } });
      for (const entry of b.top)
        list.appendChild(this.slice(dim, entry.value, entry.count, max, active[dim.key] === entry.value));
      if (b.other > 0) {
        const rest = b.distinct - b.top.length;
        list.appendChild(
          el(d, 'div', {
            cls: 'slice other',
            text: ws('othersCount', rest > 0 ? ws('moreNames', rest) : ws('noName'), formatCount(b.other)),
          }),
        );
      }
      if (b.top.length === 0 && b.other === 0) list.appendChild(el(d, 'div', { cls: 'slice other', text: ws('none') }));
      this.element.appendChild(
        el(d, 'section', { cls: `dimension ${dim.key}` }, el(d, 'h3', { text: ws(dim.title) }), list),
      );
    }
    if (refocus) {
      const again = [...this.element.querySelectorAll<HTMLElement>('button.slice')].find(
        (s) => `${s.dataset.dim}\u0000${s.dataset.value}` === refocus,
      );
      again?.focus();
    }
  }

  private slice(dim: Dimension, value: string, count: number, max: number, pressed: boolean): HTMLButtonElement {
    const d = this.doc;
    const name = safeLogLine(value);
    const fill = el(d, 'span', { cls: 'fill' });
    fill.style.width = `${Math.max(1, Math.round((count / max) * 100))}%`;
    const b = el(
      d,
      'button',
      {
        cls: 'slice',
        attrs: {
          type: 'button',
          'aria-pressed': String(pressed),
          'aria-label': ws('sliceLabel', name, callsText(count)),
          title: pressed ? ws(dim.showEvery) : ws('showOnly', name),
        },
      },
      el(d, 'span', { cls: 'name', text: name }),
      el(d, 'span', { cls: 'n', text: formatCount(count) }),
      el(d, 'span', { cls: 'meter' }, fill),
    );
    b.dataset.dim = dim.key;
    b.dataset.value = value;
    return b;
  }

  private key(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const current = (e.target as HTMLElement | null)?.closest?.('button.slice');
    const list = current?.parentElement;
    if (!current || !list) return;
    const all = [...list.querySelectorAll<HTMLElement>('button.slice')];
    const next = all[all.indexOf(current as HTMLElement) + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }
}
