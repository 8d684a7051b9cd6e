/**
 * Aggregations of the audit index for the audit panel's chart: calls over time in fixed-width buckets,
 * stacked by outcome, and the counts per server, tool and caller — computed in the extension host over
 * the index's columns (one pass over the positions {@link AuditIndex.matches} returns, no record is
 * read from disk), so the webview receives a few hundred numbers instead of a million rows.
 */
import { AUDIT_OUTCOME_KINDS, type AuditOutcomeKind } from './auditRecord';
import type { AuditFilter, AuditIndex } from './auditIndex';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Bucket widths the chart may use, smallest first: "round" steps a reader can name (5 minutes, 6
 * hours, a week). Every width divides the next larger day multiple, so buckets align to UTC midnight.
 */
export const BUCKET_WIDTHS_MS: readonly number[] = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
  91 * DAY,
  364 * DAY,
];

/** Upper bound on buckets per answer (what the panel may ask for). */
export const MAX_BUCKETS = 400;
/** Entries per breakdown list; the rest is summed into `other`. */
export const BREAKDOWN_TOP = 8;

/** One value of a breakdown and how many matching records carry it. */
export interface AuditCount {
  readonly value: string;
  readonly count: number;
}

/** The most frequent values of one dimension, most frequent first, and the rest summed. */
export interface AuditBreakdown {
  readonly top: readonly AuditCount[];
  /** Records whose value is not in `top`. */
  readonly other: number;
  /** Distinct values among the matching records. */
  readonly distinct: number;
}

export interface AuditHistogram {
  /** Matching records. */
  readonly total: number;
  /** Start of the first bucket (epoch ms, a multiple of `bucketMs`), or the filter's `from` when nothing matched. */
  readonly start: number;
  /** Width of one bucket in ms (one of {@link BUCKET_WIDTHS_MS}). */
  readonly bucketMs: number;
  /** `counts[k][o]`: records in bucket k (from `start + k·bucketMs`) with outcome `AUDIT_OUTCOME_KINDS[o]`. */
  readonly counts: readonly (readonly number[])[];
  /** Matching records per outcome. */
  readonly outcomes: Readonly<Record<AuditOutcomeKind, number>>;
  readonly servers: AuditBreakdown;
  readonly tools: AuditBreakdown;
  readonly callers: AuditBreakdown;
}

export interface HistogramOptions {
  /** At most this many buckets (1…{@link MAX_BUCKETS}; default 120). */
  readonly maxBuckets?: number;
  /** Entries per breakdown list (default {@link BREAKDOWN_TOP}). */
  readonly top?: number;
  /**
   * Without a `from` in the filter, at least this many buckets: the range is extended back in time so
   * a short burst of calls reads as a burst on a time axis, not as one bar across the whole chart.
   */
  readonly minBuckets?: number;
}

/** The smallest listed width that covers `span` ms in at most `maxBuckets` buckets. */
export function bucketWidth(span: number, maxBuckets: number): number {
  const n = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(maxBuckets)));
  for (const w of BUCKET_WIDTHS_MS) if (Math.floor(span / w) + 1 <= n) return w;
  const last = BUCKET_WIDTHS_MS[BUCKET_WIDTHS_MS.length - 1] as number;
  return (Math.floor(span / (n * last)) + 1) * last;
}

/**
 * Calls over time, stacked by outcome, and the breakdowns by server, tool and caller, for the records
 * matching `filter`. The time range is the filter's `from`/`to` when given, else the span of the
 * matching records. Pure: reads the index, changes nothing.
 */
export function auditHistogram(index: AuditIndex, filter: AuditFilter, options: HistogramOptions = {}): AuditHistogram {
  const positions = index.matches(filter);
  const c = index.columns();
  const [min, max] = timeSpan(positions, c.time);
  const from = filter.from ?? (positions.length > 0 ? min : 0);
  const to = Math.max(from, filter.to ?? (positions.length > 0 ? max : from));
  const bucketMs = bucketWidth(to - from, options.maxBuckets ?? 120);
  const aligned = Math.floor(from / bucketMs) * bucketMs;
  const spanned = Math.floor((to - aligned) / bucketMs) + 1;
  const pad = filter.from === undefined ? Math.max(0, Math.min(MAX_BUCKETS, options.minBuckets ?? 1) - spanned) : 0;
  const start = aligned - pad * bucketMs;
  const nBuckets = positions.length === 0 && filter.from === undefined ? 0 : spanned + pad;
  const kinds = AUDIT_OUTCOME_KINDS.length;
  const grid = new Uint32Array(nBuckets * kinds);
  const perOutcome = new Uint32Array(kinds);
  const servers = new Uint32Array(c.servers.length);
  const tools = new Uint32Array(c.tools.length);
  const callers = new Uint32Array(c.callers.length);
  const { time, outcome, server, tool, caller } = c;
  for (let k = 0; k < positions.length; k++) {
    const i = positions[k] as number;
    const o = outcome[i] as number;
    const b = Math.floor(((time[i] as number) - start) / bucketMs);
    if (b >= 0 && b < nBuckets) bump(grid, b * kinds + o);
    bump(perOutcome, o);
    bump(servers, server[i] as number);
    bump(tools, tool[i] as number);
    bump(callers, caller[i] as number);
  }
  const top = options.top ?? BREAKDOWN_TOP;
  const counts: number[][] = [];
  for (let b = 0; b < nBuckets; b++) counts.push(Array.from(grid.subarray(b * kinds, (b + 1) * kinds)));
  return {
    total: positions.length,
    start: nBuckets > 0 ? start : from,
    bucketMs,
    counts,
    outcomes: Object.fromEntries(AUDIT_OUTCOME_KINDS.map((kind, o) => [kind, perOutcome[o] as number])) as Record<
      AuditOutcomeKind,
      number
    >,
    servers: breakdown(servers, c.servers, top),
    tools: breakdown(tools, c.tools, top),
    callers: breakdown(callers, c.callers, top),
  };
}

function bump(counts: Uint32Array, at: number): void {
  counts[at] = (counts[at] as number) + 1;
}

function timeSpan(positions: Int32Array, time: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < positions.length; k++) {
    const t = time[positions[k] as number] as number;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return [min, max];
}

/** Top `top` values by count (ties by value), the rest summed; empty values count as "other". */
function breakdown(counts: Uint32Array, values: readonly string[], top: number): AuditBreakdown {
  const used: AuditCount[] = [];
  let empty = 0;
  counts.forEach((count, id) => {
    if (count === 0) return;
    const value = values[id] ?? '';
    if (value === '') empty += count;
    else used.push({ value, count });
  });
  used.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const kept = used.slice(0, Math.max(0, top));
  const other = used.slice(kept.length).reduce((n, e) => n + e.count, empty);
  return { top: kept, other, distinct: used.length };
}
