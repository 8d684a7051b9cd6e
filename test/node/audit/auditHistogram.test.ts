import { strict as assert } from 'node:assert';
import { auditHistogram, bucketWidth, BUCKET_WIDTHS_MS } from '../../../src/core/audit/auditHistogram';
import { AuditIndex, type AuditFilter } from '../../../src/core/audit/auditIndex';
import { AUDIT_OUTCOME_KINDS, type AuditDraft, type AuditRecord } from '../../../src/core/audit/auditRecord';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { makeDraft, tempDir } from '../../support/auditHelpers';

const T0 = Date.UTC(2026, 0, 1);
const CALLERS = ['palette', 'panel', 'gateway'] as const;

/** Records spread over 3 hours, every 7 s, with varied caller (helpers vary server/tool/outcome). */
function draft(i: number): AuditDraft {
  const base = makeDraft(i);
  return {
    ...base,
    time: new Date(T0 + i * 7000).toISOString(),
    who: { ...base.who, caller: CALLERS[i % 3] ?? 'palette' },
  };
}

/** The expected answer, computed the slow way from the records read back from disk. */
function naive(records: readonly AuditRecord[], start: number, bucketMs: number, buckets: number): number[][] {
  const grid = Array.from({ length: buckets }, () => AUDIT_OUTCOME_KINDS.map(() => 0));
  for (const r of records) {
    const row = grid[Math.floor((Date.parse(r.time) - start) / bucketMs)];
    const o = AUDIT_OUTCOME_KINDS.indexOf(r.outcome.kind);
    if (row) row[o] = (row[o] as number) + 1;
  }
  return grid;
}

async function all(ix: AuditIndex, filter: AuditFilter): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of ix.records(filter)) out.push(r);
  return out;
}

describe('audit histogram (calls over time by outcome; server, tool, caller breakdowns)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let ix: AuditIndex;
  const N = 1500;
  before(async () => {
    t = tempDir('audit-histogram-');
    store = await AuditStore.open({ dir: t.dir, maxBatch: 256 });
    await Promise.all(Array.from({ length: N }, (_, i) => store.append(draft(i))));
    ix = await AuditIndex.build(t.dir);
  });
  after(async () => {
    await store.close();
    t.cleanup();
  });

  it('buckets every matching record by time and outcome, exactly as the records on disk say', async () => {
    const h = auditHistogram(ix, {}, { maxBuckets: 60 });
    const records = await all(ix, {});
    assert.equal(h.total, N);
    assert.equal(h.bucketMs, 5 * 60_000, '3 h in at most 60 buckets: 5-minute buckets');
    assert.equal(h.start, T0);
    assert.ok(h.counts.length <= 60);
    assert.deepEqual(h.counts, naive(records, h.start, h.bucketMs, h.counts.length));
    assert.equal(
      h.counts.flat().reduce((a, b) => a + b, 0),
      N,
      'no record falls outside the buckets',
    );
    assert.deepEqual(h.outcomes, { success: 375, tool_error: 375, denied: 375, transport_error: 375 });
  });

  it('counts per server, tool and caller, most frequent first, the rest summed in "other"', async () => {
    const h = auditHistogram(ix, {}, { top: 3 });
    assert.deepEqual(h.servers, {
      top: [
        { value: 'Server 0', count: 500 },
        { value: 'Server 1', count: 500 },
        { value: 'Server 2', count: 500 },
      ],
      other: 0,
      distinct: 3,
    });
    assert.deepEqual(
      h.callers.top.map((c) => c.value),
      ['gateway', 'palette', 'panel'],
    );
    assert.equal(h.tools.distinct, 11);
    assert.equal(h.tools.top.length, 3);
    assert.equal(h.tools.top.reduce((n, c) => n + c.count, 0) + h.tools.other, N);
    assert.deepEqual(
      h.tools.top.map((c) => c.count),
      [137, 137, 137],
      'tool_0…tool_2 carry one extra record each (1500 = 11·136 + 4)',
    );
  });

  it('honours the filter: outcome, server, caller and a time range that fixes the buckets', async () => {
    const from = T0 + 3600_000;
    const to = T0 + 2 * 3600_000 - 1;
    const f: AuditFilter = { server: 'Server 1', outcome: ['denied', 'success'], caller: 'panel', from, to };
    const h = auditHistogram(ix, f, { maxBuckets: 12 });
    const records = await all(ix, f);
    assert.ok(records.length > 0);
    assert.ok(
      records.every(
        (r) =>
          r.what.server.name === 'Server 1' &&
          r.who.caller === 'panel' &&
          ['denied', 'success'].includes(r.outcome.kind),
      ),
    );
    assert.equal(h.total, records.length);
    assert.equal(h.bucketMs, 5 * 60_000, 'one hour (less 1 ms) in at most 12 buckets: 5 minutes');
    assert.equal(h.start, from);
    assert.equal(h.counts.length, 12);
    assert.deepEqual(h.counts, naive(records, h.start, h.bucketMs, 12));
    assert.deepEqual(h.callers, { top: [{ value: 'panel', count: records.length }], other: 0, distinct: 1 });
    assert.equal(h.outcomes.tool_error + h.outcomes.transport_error, 0);
  });

  it('answers an empty match with no buckets (or the empty buckets of the asked range)', () => {
    const none = auditHistogram(ix, { tool: 'no such tool' });
    assert.deepEqual([none.total, none.counts.length, none.servers.top.length], [0, 0, 0]);
    const ranged = auditHistogram(ix, { tool: 'no such tool', from: T0, to: T0 + 59_999 }, { maxBuckets: 60 });
    assert.deepEqual([ranged.total, ranged.bucketMs, ranged.counts.length], [0, 1000, 60]);
    assert.ok(ranged.counts.every((c) => c.every((n) => n === 0)));
  });

  it('pads a short burst back in time to the minimum number of buckets (never when the filter has a start)', () => {
    const burst: AuditFilter = { from: undefined, to: T0 + 20_000 };
    const h = auditHistogram(ix, burst, { maxBuckets: 100, minBuckets: 30 });
    assert.equal(h.bucketMs, 1000);
    assert.equal(h.counts.length, 30);
    assert.equal(h.start, T0 + 20_000 - 29_000, 'the last bucket holds the last call');
    assert.equal(
      h.counts.flat().reduce((a, b) => a + b, 0),
      h.total,
    );
    assert.equal(
      auditHistogram(ix, { from: T0, to: T0 + 20_000 }, { maxBuckets: 100, minBuckets: 30 }).counts.length,
      21,
    );
  });

  it('sees records appended after the index was built (incremental refresh)', async () => {
    await store.append(draft(N));
    await ix.refresh();
    assert.equal(auditHistogram(ix, {}).total, N + 1);
  });

  it('chooses the smallest round bucket width that fits', () => {
    assert.equal(bucketWidth(0, 100), 1000);
    assert.equal(bucketWidth(59_000, 60), 1000);
    assert.equal(bucketWidth(60_000, 60), 2000);
    assert.equal(bucketWidth(7 * 86_400_000, 100), 2 * 3600_000);
    const longest = BUCKET_WIDTHS_MS[BUCKET_WIDTHS_MS.length - 1] as number;
    assert.equal(bucketWidth(longest * 1000, 10) % longest, 0, 'beyond the table: a multiple of the longest width');
    assert.ok(Math.floor((longest * 1000) / bucketWidth(longest * 1000, 10)) + 1 <= 10);
  });
});
