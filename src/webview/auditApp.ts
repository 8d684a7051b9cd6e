/**
 * The audit panel UI: filters and search, the virtualised record table, a details pane (redacted
 * arguments, the human / agent / caller identities, scopes, error), live updates, export and clear.
 * Browser code only; every value is rendered with textContent.
 */
import type { BreakdownDimension } from './breakdownChart';
import { ChartPanel } from './chartPanel';
import { displayText, el, formatDuration, formatTime, setOptions } from './dom';
import { outcomeLabel } from './timelineChart';
import {
  OUTCOME_KINDS,
  type ExportStatusDto,
  type FilterState,
  type HostEvent,
  type OutcomeKind,
  type RecordDto,
  type RowDto,
} from './protocol';
import type { RpcClient } from './rpcClient';
import { VirtualTable } from './virtualTable';
import { plural, ws } from './webviewStrings';

const SEARCH_DEBOUNCE_MS = 200;

interface Controls {
  search: HTMLInputElement;
  server: HTMLSelectElement;
  tool: HTMLSelectElement;
  user: HTMLSelectElement;
  outcome: HTMLSelectElement;
  caller: HTMLSelectElement;
  from: HTMLInputElement;
  to: HTMLInputElement;
}

export class AuditApp {
  private readonly doc: Document;
  private readonly table: VirtualTable;
  private readonly controls: Controls;
  private readonly status: HTMLDivElement;
  private readonly exportLine: HTMLDivElement;
  private readonly count: HTMLSpanElement;
  private readonly details: HTMLDivElement;
  private readonly chart: ChartPanel;
  private filter: FilterState = {};
  /** The time range chosen on the chart (exact ms; the From/To inputs show it to the second). */
  private zoom: { from: number; to: number } | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly rpc: RpcClient,
  ) {
    this.doc = root.ownerDocument;
    const d = this.doc;
    this.table = new VirtualTable(
      d,
      (offset, limit) => this.rpc.request('query', { filter: this.filter, offset, limit }),
      (row) => void this.showDetails(row),
    );
    this.controls = {
      search: el(d, 'input', {
        cls: 'search',
        attrs: { type: 'search', placeholder: ws('searchPlaceholder'), 'aria-label': ws('search') },
      }),
      server: el(d, 'select', { attrs: { 'aria-label': ws('server') } }),
      tool: el(d, 'select', { attrs: { 'aria-label': ws('tool') } }),
      user: el(d, 'select', { attrs: { 'aria-label': ws('user') } }),
      outcome: el(d, 'select', { attrs: { 'aria-label': ws('outcome') } }),
      caller: el(d, 'select', { attrs: { 'aria-label': ws('caller') } }),
      from: el(d, 'input', { attrs: { type: 'datetime-local', step: '1', 'aria-label': ws('from') } }),
      to: el(d, 'input', { attrs: { type: 'datetime-local', step: '1', 'aria-label': ws('to') } }),
    };
    this.chart = new ChartPanel(d, {
      zoom: (from, to) => this.zoomTo(from, to),
      resetZoom: () => this.zoomTo(undefined),
      toggleOutcome: (kind) => this.choose(this.controls.outcome, this.controls.outcome.value === kind ? '' : kind),
      pick: (dim, value) => this.pick(dim, value),
    });
    setOptions(this.controls.server, ws('allServers'), []);
    setOptions(this.controls.tool, ws('allTools'), []);
    setOptions(this.controls.user, ws('allUsers'), []);
    setOptions(this.controls.outcome, ws('allOutcomes'), OUTCOME_KINDS, (v) => outcomeLabel(v as OutcomeKind));
    setOptions(this.controls.caller, ws('allCallers'), []);
    this.status = el(d, 'div', { cls: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.exportLine = el(d, 'div', { cls: 'status export', attrs: { 'aria-label': ws('exportLineLabel') } });
    this.count = el(d, 'span', { cls: 'count' });
    this.details = el(d, 'div', { cls: 'details', attrs: { 'aria-label': ws('recordDetails') } });
    this.layout();
    this.wire();
  }

  /** Sends `ready` and loads the first page. */
  async start(): Promise<void> {
    this.rpc.onEvent((e) => this.onHostEvent(e));
    this.rpc.ready();
    await Promise.all([this.reload(), this.loadFacets()]);
  }

  private layout(): void {
    const d = this.doc;
    const c = this.controls;
    const button = (label: string, action: string, title: string): HTMLButtonElement =>
      el(d, 'button', { text: label, attrs: { type: 'button', 'data-action': action, title } });
    const toolbar = el(
      d,
      'div',
      { cls: 'toolbar' },
      c.search,
      c.server,
      c.tool,
      c.user,
      c.outcome,
      c.caller,
      el(d, 'label', { text: ws('from') }, c.from),
      el(d, 'label', { text: ws('to') }, c.to),
    );
    const actions = el(
      d,
      'div',
      { cls: 'actions' },
      this.count,
      button(ws('refresh'), 'refresh', ws('refreshTitle')),
      button(ws('verify'), 'verify', ws('verifyTitle')),
      button(ws('exportCsv'), 'export-csv', ws('exportCsvTitle')),
      button(ws('exportJsonl'), 'export-jsonl', ws('exportJsonlTitle')),
      button(ws('clear'), 'clear', ws('clearTitle')),
    );
    this.root.textContent = ''; // the static "Loading…" line of auditPanelHtml
    this.root.appendChild(
      el(
        d,
        'div',
        { cls: 'audit-app' },
        toolbar,
        actions,
        this.status,
        this.exportLine,
        this.chart.element,
        this.table.box,
        this.details,
      ),
    );
  }

  private wire(): void {
    const c = this.controls;
    c.search.addEventListener('input', () => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.applyFilter(), SEARCH_DEBOUNCE_MS);
    });
    for (const s of [c.server, c.tool, c.user, c.outcome, c.caller])
      s.addEventListener('change', () => this.applyFilter());
    for (const s of [c.from, c.to]) {
      s.addEventListener('change', () => {
        this.zoom = undefined; // typed by the user: the inputs say what to show
        void this.applyFilter();
      });
    }
    this.root.addEventListener('click', (e) => {
      const action = (e.target as HTMLElement | null)?.closest?.('button')?.getAttribute('data-action');
      if (action) void this.runAction(action);
    });
  }

  private readFilter(): FilterState {
    const c = this.controls;
    const time = (input: HTMLInputElement): number | undefined => {
      const t = input.value ? Date.parse(input.value) : Number.NaN;
      return Number.isNaN(t) ? undefined : t;
    };
    const text = c.search.value.trim();
    return {
      text: text || undefined,
      server: c.server.value || undefined,
      tool: c.tool.value || undefined,
      user: c.user.value || undefined,
      outcome: c.outcome.value ? [c.outcome.value as OutcomeKind] : undefined,
      caller: c.caller.value || undefined,
      from: this.zoom?.from ?? time(c.from),
      to: this.zoom?.to ?? time(c.to),
    };
  }

  /** Zooms the chart and filters the table to a time range (undefined: the whole range again). */
  zoomTo(from: number | undefined, to?: number): Promise<void> {
    this.zoom = from === undefined || to === undefined ? undefined : { from, to };
    this.controls.from.value = this.zoom ? localInputValue(this.zoom.from) : '';
    this.controls.to.value = this.zoom ? localInputValue(this.zoom.to) : '';
    return this.applyFilter();
  }

  /** A breakdown entry was clicked: filter by it, or stop filtering when it already was the filter. */
  private pick(dim: BreakdownDimension, value: string): Promise<void> {
    const select = { server: this.controls.server, tool: this.controls.tool, caller: this.controls.caller }[dim];
    return this.choose(select, select.value === value ? '' : value);
  }

  /** Sets a select (adding the option when the list does not have it yet) and applies the filter. */
  private choose(select: HTMLSelectElement, value: string): Promise<void> {
    if (value && ![...select.options].some((o) => o.value === value)) {
      setOptions(
        select,
        select.options[0]?.textContent ?? '',
        [...[...select.options].slice(1).map((o) => o.value), value].sort(),
      );
    }
    select.value = value;
    return this.applyFilter();
  }

  /** Applies the current control values (exposed for tests). */
  applyFilter(): Promise<void> {
    this.filter = this.readFilter();
    return this.reload();
  }

  /** Re-queries the total and redraws (keeps the scroll position); the chart follows on its own. */
  async reload(): Promise<void> {
    const filter = this.filter;
    void this.reloadChart(filter);
    try {
      const page = await this.rpc.request('query', { filter, offset: 0, limit: 200 });
      if (filter !== this.filter) return; // a newer filter is on its way
      this.table.reset(page.total);
      this.count.textContent = plural(page.total, 'recordsOne', 'recordsOther', page.total.toLocaleString('en-US'));
    } catch (err) {
      this.setStatus('error', ws('loadFailed', (err as Error).message));
    }
  }

  /** Asks the host for the chart's buckets (aggregated there: numbers, never rows) and draws them. */
  private async reloadChart(filter: FilterState): Promise<void> {
    try {
      const histogram = await this.rpc.request('histogram', { filter, maxBuckets: this.chart.maxBuckets() });
      if (filter !== this.filter) return;
      this.chart.render(histogram, filter, this.zoom !== undefined);
    } catch (err) {
      this.setStatus('error', ws('chartFailed', (err as Error).message));
    }
  }

  private async loadFacets(): Promise<void> {
    const f = await this.rpc.request('facets', {}).catch(() => undefined);
    if (!f) return;
    setOptions(this.controls.server, ws('allServers'), f.servers);
    setOptions(this.controls.tool, ws('allTools'), f.tools);
    setOptions(this.controls.user, ws('allUsers'), f.users);
    setOptions(this.controls.caller, ws('allCallers'), f.callers);
  }

  private async runAction(action: string): Promise<void> {
    try {
      switch (action) {
        case 'refresh':
          await Promise.all([this.reload(), this.loadFacets()]);
          break;
        case 'verify': {
          this.setStatus('info', ws('verifying'));
          const v = await this.rpc.request('verify', {});
          this.setStatus(v.ok ? 'info' : 'error', v.message);
          break;
        }
        case 'export-csv':
        case 'export-jsonl': {
          const r = await this.rpc.request('export', {
            format: action === 'export-csv' ? 'csv' : 'jsonl',
            filter: this.filter,
          });
          if (r) this.setStatus('info', ws('exported', r.written.toLocaleString('en-US')));
          break;
        }
        case 'clear': {
          const r = await this.rpc.request('clear', {});
          if (r.cleared) this.clearDetails();
          break;
        }
      }
    } catch (err) {
      this.setStatus('error', (err as Error).message);
    }
  }

  private onHostEvent(e: HostEvent): void {
    switch (e.type) {
      case 'appended':
        void this.reload();
        void this.loadFacets();
        break;
      case 'cleared':
        this.clearDetails();
        void this.reload();
        void this.loadFacets();
        break;
      case 'status':
        this.setStatus(e.level, e.text);
        break;
      case 'export':
        this.showExport(e.status);
        break;
    }
  }

  /** One line about the off-machine export (hidden when it is off). */
  private showExport(s: ExportStatusDto): void {
    const pending = (n: number): string => plural(n, 'pendingOne', 'pendingOther', n.toLocaleString('en-US'));
    let level = 'info';
    let text = '';
    switch (s.state) {
      case 'off':
        break;
      case 'misconfigured':
        level = 'warning';
        text = ws('exportMisconfigured', s.error);
        break;
      case 'idle':
        text = ws('exportIdle', pending(s.pending));
        break;
      case 'ok':
        text = ws('exportOk', s.lastOkAt === undefined ? '' : formatTime(s.lastOkAt), pending(s.pending));
        break;
      case 'failing':
        level = 'error';
        text =
          s.dropped > 0
            ? ws('exportFailingDropped', s.lastError ?? ws('unknownError'), pending(s.pending), s.dropped)
            : ws('exportFailing', s.lastError ?? ws('unknownError'), pending(s.pending));
        break;
    }
    this.exportLine.className = `status export ${level}`;
    this.exportLine.textContent = text;
  }

  private setStatus(level: 'info' | 'warning' | 'error', text: string): void {
    this.status.className = `status ${level}`;
    this.status.textContent = text;
  }

  private clearDetails(): void {
    while (this.details.firstChild) this.details.removeChild(this.details.firstChild);
    this.table.select(undefined);
  }

  /** Shows one record in the details pane (exposed for tests through the row click). */
  async showDetails(row: RowDto): Promise<void> {
    const rec = await this.rpc.request('record', { ref: row.ref }).catch(() => null);
    this.clearDetails();
    this.table.select(row.ref);
    if (!rec) {
      this.details.appendChild(el(this.doc, 'p', { text: ws('recordGone') }));
      return;
    }
    this.details.appendChild(this.renderRecord(rec));
  }

  private renderRecord(r: RecordDto): HTMLElement {
    const d = this.doc;
    const dl = el(d, 'dl');
    const add = (label: string, value: string): void => {
      if (!value) return;
      dl.appendChild(el(d, 'dt', { text: label }));
      dl.appendChild(el(d, 'dd', { text: displayText(value) }));
    };
    add(ws('time'), `${formatTime(Date.parse(r.time))} (${formatDuration(r.durationMs)})`);
    add(ws('outcome'), outcomeLabel(r.outcome));
    add(ws('status'), r.status);
    add(ws('missingScope'), r.missingScope);
    add(ws('errorCode'), r.code);
    add(ws('error'), r.error);
    add(ws('resultSize'), r.resultSize ? ws('bytes', r.resultSize) : '');
    add(
      ws('human'),
      [r.human.displayName, r.human.sub && `sub ${r.human.sub}`, r.human.iss && `iss ${r.human.iss}`]
        .filter(Boolean)
        .join(' · '),
    );
    add(ws('agent'), r.agent);
    add(ws('caller'), r.caller);
    add(ws('server'), r.server.name);
    add(ws('target'), r.server.target);
    add(ws('resource'), r.server.resource);
    add(ws('tool'), r.tool);
    add(ws('grantedScopes'), r.scopes.join(' '));
    add(ws('recordId'), r.id);
    add(ws('hash'), r.hash);
    add(ws('previousHash'), r.prev);
    return el(
      d,
      'div',
      { cls: 'record' },
      el(d, 'h3', { text: displayText(r.tool) }),
      dl,
      el(d, 'h4', { text: ws('argumentsRedacted') }),
      el(d, 'pre', { cls: 'arguments', text: displayText(r.arguments) }),
    );
  }
}

/** `datetime-local` value (local time, to the second) of an epoch ms. */
function localInputValue(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
