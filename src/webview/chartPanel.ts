/**
 * The picture above the audit table: a header (what is shown, the outcome legend — each entry a
 * toggle that filters by that outcome — and "Reset zoom"), the timeline of calls stacked by outcome,
 * and the breakdown by server, tool and caller. It only draws what the host aggregated and reports the
 * user's picks; the app turns them into the table's filter.
 */
import { BreakdownChart, type BreakdownDimension } from './breakdownChart';
import { el } from './dom';
import { OUTCOME_KINDS, type FilterState, type HistogramDto, type OutcomeKind } from './protocol';
import { callsText, durationText, outcomeLabel, TimelineChart } from './timelineChart';
import { ws } from './webviewStrings';

export interface ChartPanelHandlers {
  zoom(from: number, to: number): void;
  resetZoom(): void;
  toggleOutcome(kind: OutcomeKind): void;
  pick(dimension: BreakdownDimension, value: string): void;
}

/** Bars per pixel of width: one bucket per ~8 px, within bounds the host also enforces. */
const PX_PER_BUCKET = 8;
const MIN_BUCKETS = 12;
const MAX_BUCKETS = 240;

export class ChartPanel {
  readonly element: HTMLElement;
  readonly timeline: TimelineChart;
  readonly breakdown: BreakdownChart;
  private readonly caption: HTMLSpanElement;
  private readonly legend: HTMLDivElement;
  private readonly reset: HTMLButtonElement;
  private last: { h: HistogramDto; filter: FilterState; zoomed: boolean } | undefined;

  constructor(
    private readonly doc: Document,
    handlers: ChartPanelHandlers,
  ) {
    const d = doc;
    this.timeline = new TimelineChart(d, { zoom: (a, b) => handlers.zoom(a, b), reset: () => handlers.resetZoom() });
    this.breakdown = new BreakdownChart(d, (dim, value) => handlers.pick(dim, value));
    this.caption = el(d, 'span', { cls: 'caption' });
    this.legend = el(d, 'div', { cls: 'legend', attrs: { role: 'group', 'aria-label': ws('legendLabel') } });
    for (const kind of OUTCOME_KINDS) {
      const b = el(
        d,
        'button',
        {
          cls: `key outcome-${kind}`,
          attrs: { type: 'button', 'aria-pressed': 'false', title: ws('showOnly', outcomeLabel(kind)) },
        },
        el(d, 'span', { cls: 'swatch', attrs: { 'aria-hidden': 'true' } }),
        el(d, 'span', { cls: 'label', text: outcomeLabel(kind) }),
      );
      b.dataset.outcome = kind;
      b.addEventListener('click', () => handlers.toggleOutcome(kind));
      this.legend.appendChild(b);
    }
    this.reset = el(d, 'button', {
      cls: 'reset',
      text: ws('resetZoom'),
      attrs: { type: 'button', 'data-chart': 'reset', title: ws('resetZoomTitle') },
    });
    this.reset.addEventListener('click', () => handlers.resetZoom());
    const header = el(
      d,
      'div',
      { cls: 'chart-header' },
      el(d, 'h2', { text: ws('chartTitle') }),
      this.caption,
      this.legend,
      this.reset,
    );
    const hint = el(d, 'p', {
      cls: 'hint',
      text: ws('chartHint'),
    });
    this.element = el(
      d,
      'section',
      { cls: 'chart', attrs: { 'aria-label': ws('chartLabel') } },
      header,
      el(d, 'div', { cls: 'chart-body' }, this.timeline.element, this.breakdown.element),
      hint,
    );
    const win = d.defaultView;
    win?.addEventListener('resize', () => {
      if (this.last) this.draw();
    });
  }

  /** How many buckets to ask the host for, for the chart's current width. */
  maxBuckets(): number {
    const width = this.timeline.element.clientWidth || this.element.clientWidth || 640;
    return Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, Math.floor(width / PX_PER_BUCKET)));
  }

  render(h: HistogramDto, filter: FilterState, zoomed: boolean): void {
    this.last = { h, filter, zoomed };
    this.draw();
  }

  private draw(): void {
    if (!this.last) return;
    const { h, filter, zoomed } = this.last;
    this.timeline.render(h);
    this.breakdown.render(h, { server: filter.server, tool: filter.tool, caller: filter.caller });
    this.caption.textContent = h.counts.length === 0 ? '' : ws('caption', callsText(h.total), durationText(h.bucketMs));
    for (const b of this.legend.querySelectorAll<HTMLElement>('button.key')) {
      b.setAttribute('aria-pressed', String(filter.outcome?.length === 1 && filter.outcome[0] === b.dataset.outcome));
    }
    this.reset.disabled = !zoomed;
  }
}
