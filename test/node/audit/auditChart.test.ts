import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { auditHistogram } from '../../../src/core/audit/auditHistogram';
import { AuditIndex, type AuditFilter } from '../../../src/core/audit/auditIndex';
import type { AuditDraft } from '../../../src/core/audit/auditRecord';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { AuditPanelBackend } from '../../../src/vscode/audit/auditPanelBackend';
import { AuditApp } from '../../../src/webview/auditApp';
import type { FilterState, HistogramDto, WebviewToHost } from '../../../src/webview/protocol';
import { RpcClient } from '../../../src/webview/rpcClient';
import { makeDraft, tempDir, waitFor } from '../../support/auditHelpers';

const T0 = Date.UTC(2026, 2, 1, 9);
const N = 240;
const CALLERS = ['palette', 'panel', 'gateway'] as const;
/** A name built to read differently from what it is: a right-to-left override and a zero-width space. */
const TRICKY_TOOL = 'list\u202Esetekcit\u200B_x';

/** One call every 30 s for 2 hours; callers rotate; every 10th call uses the tricky tool name. */
function draft(i: number): AuditDraft {
  const base = makeDraft(i);
  return {
    ...base,
    time: new Date(T0 + i * 30_000).toISOString(),
    who: { ...base.who, caller: CALLERS[i % 3] ?? 'palette' },
    what: { ...base.what, tool: i % 10 === 0 ? TRICKY_TOOL : base.what.tool },
  };
}

interface Mounted {
  window: Window;
  root: HTMLElement;
  app: AuditApp;
  sent: WebviewToHost[];
}

describe('audit chart (timeline + breakdown) in the panel', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let backend: AuditPanelBackend;
  let index: AuditIndex;
  let m: Mounted;

  before(async () => {
    t = tempDir('audit-chart-');
    store = await AuditStore.open({ dir: t.dir });
    await Promise.all(Array.from({ length: N }, (_, i) => store.append(draft(i))));
    index = await AuditIndex.build(t.dir);
  });
  after(async () => {
    await store.close();
    t.cleanup();
  });
  beforeEach(async () => {
    backend = new AuditPanelBackend(new AuditTrail({ store, logger: new MemoryLogger() }), new MemoryLogger(), {
      pickExportTarget: async (format) => join(t.dir, `chart-export.${format}`),
      confirmClear: async () => false,
      notify: () => undefined,
    });
    m = mount(backend);
    await m.app.start();
    await waitFor(() => bars().length > 0 && count() === `${N} records`, 10_000, 'the first chart and page');
  });
  afterEach(async () => {
    backend.dispose();
    await m.window.happyDOM.close();
  });

  function mount(b: AuditPanelBackend): Mounted {
    const window = new Window({ url: 'https://webview.invalid/' });
    const document = window.document as unknown as Document;
    const root = document.createElement('div');
    document.body.appendChild(root);
    const sent: WebviewToHost[] = [];
    let deliver: (msg: unknown) => void = () => undefined;
    b.onDidPost((msg) => {
      const json = JSON.stringify(msg);
      setImmediate(() => deliver(JSON.parse(json)));
    });
    const rpc = new RpcClient({
      postMessage: (msg) => {
        const copy = JSON.parse(JSON.stringify(msg)) as WebviewToHost;
        sent.push(copy);
        void b.handle(copy);
      },
      onMessage: (l) => {
        deliver = l;
      },
    });
    return { window, root, app: new AuditApp(root, rpc), sent };
  }

  const q = <T extends Element = HTMLElement>(sel: string): T => m.root.querySelector(sel) as unknown as T;
  const bars = (): HTMLElement[] => [...m.root.querySelectorAll<HTMLElement>('.timeline g.bucket')];
  const count = (): string => q('.count').textContent ?? '';
  const totalOf = (f: AuditFilter): number => index.query(f, 0, 1).total;
  /** The filter of the last table query the app sent. */
  const lastQueryFilter = (): FilterState => {
    const r = [...m.sent].reverse().find((s) => s.kind === 'request' && s.type === 'query');
    return (r as { params: { filter: FilterState } }).params.filter;
  };
  const lastHistogram = async (): Promise<HistogramDto> => {
    const r = [...m.sent].reverse().find((s) => s.kind === 'request' && s.type === 'histogram') as {
      params: { filter: FilterState; maxBuckets: number };
    };
    return auditHistogram(
      index,
      { ...r.params.filter, outcome: r.params.filter.outcome?.length ? r.params.filter.outcome : undefined },
      { maxBuckets: r.params.maxBuckets },
    );
  };
  const key = (target: Element, k: string): void => {
    target.dispatchEvent(new m.window.KeyboardEvent('keydown', { key: k, bubbles: true }) as unknown as Event);
  };

  it('draws the host-aggregated buckets stacked by outcome, summarised for screen readers', async () => {
    const h = await lastHistogram();
    assert.equal(bars().length, h.counts.length, 'one bar per bucket');
    const stacked = bars().map((b) => b.querySelectorAll('rect.seg').length);
    assert.ok(
      stacked.some((n) => n > 1),
      'bars are stacked by outcome',
    );
    for (const [k, b] of bars().entries()) {
      const segs = [...b.querySelectorAll('rect.seg')].map((r) => r.getAttribute('class'));
      const expected = ['success', 'tool_error', 'denied', 'transport_error']
        .filter((_, o) => (h.counts[k]?.[o] ?? 0) > 0)
        .map((kind) => `seg outcome-${kind}`);
      assert.deepEqual(segs, expected, `bar ${k}`);
    }
    const svg = q('.timeline-svg');
    assert.equal(svg.getAttribute('role'), 'group');
    assert.match(
      svg.getAttribute('aria-label') ?? '',
      /^Calls over time, stacked by outcome, .* UTC in \d+ bars of \d+ (seconds|minutes?): 240 calls: 60 success, 60 tool error, 60 denied, 60 transport error\. Busiest: /,
    );
    assert.match(bars()[0]!.getAttribute('aria-label') ?? '', /^03-01 09:00 to 03-01 09:0\d UTC, \d+ calls?: /);
    assert.ok(
      !m.sent.some((s) => s.kind === 'request' && s.type === 'query' && (s.params as { limit: number }).limit > 1000),
      'the chart needs no rows',
    );
  });

  it('clicking a bar zooms into its bucket and filters the table; Reset zoom shows everything again', async () => {
    const h = await lastHistogram();
    const k = 3;
    const from = h.start + k * h.bucketMs;
    const hit = bars()[k]!.querySelector('rect.hit')!;
    hit.dispatchEvent(
      new m.window.MouseEvent('mousedown', { bubbles: true, button: 0, clientX: 100 }) as unknown as Event,
    );
    hit.dispatchEvent(
      new m.window.MouseEvent('mouseup', { bubbles: true, button: 0, clientX: 101 }) as unknown as Event,
    );
    const expected = totalOf({ from, to: from + h.bucketMs - 1 });
    assert.ok(expected > 0 && expected < N);
    await waitFor(() => count() === `${expected} records`, 10_000, `the table filtered to bucket ${k} (${count()})`);
    assert.deepEqual([lastQueryFilter().from, lastQueryFilter().to], [from, from + h.bucketMs - 1]);
    assert.ok(q<HTMLInputElement>('input[aria-label="From"]').value.length > 0, 'the From input shows the range');
    const reset = q<HTMLButtonElement>('button[data-chart="reset"]');
    assert.equal(reset.disabled, false);
    reset.click();
    await waitFor(() => count() === `${N} records`, 10_000, 'all records again');
    assert.equal(lastQueryFilter().from, undefined);
    assert.equal(q<HTMLInputElement>('input[aria-label="From"]').value, '');
  });

  it('dragging across the chart (a brush) filters the table to the dragged time range', async () => {
    const svg = q('.timeline-svg');
    const mouse = (type: string, clientX: number): void => {
      svg.dispatchEvent(new m.window.MouseEvent(type, { bubbles: true, button: 0, clientX }) as unknown as Event);
    };
    mouse('mousedown', 200);
    mouse('mousemove', 300);
    assert.equal(q('.timeline rect.brush').getAttribute('visibility'), 'visible', 'the brush shows while dragging');
    mouse('mousemove', 400);
    mouse('mouseup', 400);
    await waitFor(() => lastQueryFilter().from !== undefined, 10_000, 'a ranged query');
    const f = lastQueryFilter();
    const expected = totalOf({ from: f.from, to: f.to });
    assert.ok(f.from! < f.to! && expected > 10 && expected < N / 2, `a middle slice of the range (${expected})`);
    await waitFor(() => count() === `${expected} records`, 10_000, 'the table filtered to the brushed range');
    await waitFor(
      async () =>
        bars().length === (await lastHistogram()).counts.length && (await lastHistogram()).bucketMs < 5 * 60_000,
      10_000,
      'finer buckets after zooming',
    );
  });

  it('is keyboard accessible: one tab stop, arrows move between bars, Enter zooms, Escape resets', async () => {
    const b = bars();
    assert.deepEqual(b.map((x) => x.getAttribute('tabindex')).filter((v) => v === '0').length, 1, 'roving tabindex');
    const h0 = await lastHistogram();
    const latest = h0.counts.map((c) => c.some((n) => n > 0)).lastIndexOf(true);
    assert.equal(b[latest]!.getAttribute('tabindex'), '0', 'the tab stop is the latest bar with calls');
    assert.ok(b.every((x) => x.getAttribute('role') === 'button' && (x.getAttribute('aria-label') ?? '').length > 0));
    b[0]!.focus();
    key(b[0]!, 'ArrowRight');
    key(bars()[1]!, 'ArrowRight');
    assert.equal(m.window.document.activeElement, bars()[2] as unknown);
    assert.equal(bars()[2]!.getAttribute('tabindex'), '0');
    assert.equal(bars()[0]!.getAttribute('tabindex'), '-1');
    key(bars()[2]!, 'End');
    assert.equal(m.window.document.activeElement, bars()[bars().length - 1] as unknown);
    key(bars()[bars().length - 1]!, 'Home');
    const h = await lastHistogram();
    key(bars()[0]!, 'Enter');
    const expected = totalOf({ from: h.start, to: h.start + h.bucketMs - 1 });
    await waitFor(
      () => count() === `${expected} record${expected === 1 ? '' : 's'}`,
      10_000,
      'Enter zoomed into the first bar',
    );
    key(bars()[0]!, 'Escape');
    await waitFor(() => count() === `${N} records`, 10_000, 'Escape reset the zoom');
  });

  it('clicking a caller, server or tool filters the table; clicking it again removes the filter', async () => {
    const slice = (dim: string, value: string): HTMLButtonElement =>
      [...m.root.querySelectorAll<HTMLButtonElement>(`.breakdown .${dim} button.slice`)].find(
        (b) => b.dataset.value === value,
      )!;
    assert.deepEqual(
      [...m.root.querySelectorAll<HTMLButtonElement>('.breakdown .caller button.slice')].map((b) => b.dataset.value),
      ['gateway', 'palette', 'panel'],
    );
    slice('caller', 'panel').click();
    await waitFor(() => count() === `${totalOf({ caller: 'panel' })} records`, 10_000, 'filtered by caller');
    assert.equal(totalOf({ caller: 'panel' }), N / 3);
    assert.equal(q<HTMLSelectElement>('select[aria-label="Caller"]').value, 'panel');
    await waitFor(() => slice('caller', 'panel')?.getAttribute('aria-pressed') === 'true', 10_000, 'pressed slice');
    slice('server', 'Server 1').click();
    const both = totalOf({ caller: 'panel', server: 'Server 1' });
    await waitFor(() => count() === `${both} records`, 10_000, 'filtered by caller and server');
    assert.equal(q<HTMLSelectElement>('select[aria-label="Server"]').value, 'Server 1');
    await waitFor(
      () => slice('caller', 'panel')?.getAttribute('aria-pressed') === 'true',
      10_000,
      'pressed slice after redraw',
    );
    slice('caller', 'panel').click();
    await waitFor(() => count() === `${totalOf({ server: 'Server 1' })} records`, 10_000, 'caller filter removed');
    const legend = q<HTMLButtonElement>('.legend button.key.outcome-denied');
    legend.click();
    await waitFor(
      () => count() === `${totalOf({ server: 'Server 1', outcome: 'denied' })} records`,
      10_000,
      'filtered by outcome from the legend',
    );
    assert.equal(legend.getAttribute('aria-pressed'), 'true');
  });

  it('shows reordering and invisible characters of names as visible marks (table and chart); the export keeps the name as it is', async () => {
    const shown = TRICKY_TOOL.replace(/[\u202E\u200B]/g, '\uFFFD');
    const slice = [...m.root.querySelectorAll<HTMLElement>('.breakdown .tool button.slice')].find(
      (b) => b.dataset.value === TRICKY_TOOL,
    );
    assert.equal(slice?.querySelector('.name')?.textContent, shown, 'breakdown label neutralised');
    slice!.click();
    await waitFor(() => count() === `${N / 10} records`, 10_000, 'filtered to the tricky tool');
    await waitFor(
      () => (m.root.querySelector('.rows .row .cell.tool')?.textContent ?? '') === shown,
      10_000,
      'table cell neutralised',
    );
    const text = m.root.textContent ?? '';
    assert.ok(
      !/[\u202A-\u202E\u200B-\u200F\u2066-\u2069]/.test(text),
      'no bidi or zero-width character reaches the page text',
    );
    (m.root.querySelector('button[data-action="export-jsonl"]') as HTMLElement).click();
    await waitFor(
      () => /Exported 24 record/.test(m.root.querySelector('.status')?.textContent ?? ''),
      10_000,
      'export',
    );
    const exported = readFileSync(join(t.dir, 'chart-export.jsonl'), 'utf8');
    assert.equal(exported.split('\n').filter(Boolean).length, 24);
    assert.ok(exported.includes(TRICKY_TOOL), 'the exported data is unchanged');
  });

  it('exposes the table as a grid: sorted time column, row count and index, selection, arrow keys between rows', async () => {
    const grid = q('[role="grid"]');
    assert.equal(grid.getAttribute('aria-rowcount'), String(N + 1), 'header + every record');
    const headers = [...grid.querySelectorAll('[role="columnheader"]')];
    assert.deepEqual(
      headers.map((h) => h.textContent),
      ['Time', 'Server', 'Tool', 'User', 'Outcome', 'Duration'],
    );
    assert.equal(headers[0]!.getAttribute('aria-sort'), 'descending', 'newest first');
    await waitFor(
      () => (m.root.querySelector('.rows .row .cell')?.textContent ?? '').startsWith('2026'),
      10_000,
      'rows',
    );
    const rows = (): HTMLElement[] => [...grid.querySelectorAll<HTMLElement>('.rows [role="row"]')];
    assert.ok(rows().every((r) => r.querySelectorAll('[role="gridcell"]').length === 6));
    assert.deepEqual(
      rows()
        .slice(0, 3)
        .map((r) => r.getAttribute('aria-rowindex')),
      ['2', '3', '4'],
    );
    rows()[0]!.focus();
    key(rows()[0]!, 'ArrowDown');
    assert.equal((m.window.document.activeElement as unknown as HTMLElement).getAttribute('aria-rowindex'), '3');
    key(m.window.document.activeElement as unknown as Element, 'Enter');
    await waitFor(() => rows()[1]?.getAttribute('aria-selected') === 'true', 10_000, 'the second row selected');
    assert.equal(rows().filter((r) => r.getAttribute('aria-selected') === 'true').length, 1);
    await waitFor(() => (m.root.querySelector('.details')?.textContent ?? '').includes('Record id'), 10_000, 'details');
  });
});
