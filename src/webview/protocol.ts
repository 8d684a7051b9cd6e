/**
 * The typed message protocol between the audit panel webview and the extension host.
 * The webview sends `ready` once its script runs, then request/reply pairs correlated by `id`;
 * the host pushes events (new records, status). Every payload is plain JSON, and every string in it
 * has been redacted by the host before it is posted.
 */
import type { AuditBreakdown, AuditHistogram } from '../core/audit/auditHistogram';
import type { OtlpExportStatus } from '../core/audit/otlpForwarder';

import { AUDIT_OUTCOME_KINDS, type AuditOutcomeKind, type AuditRow } from '../core/audit/auditTypes';

/** The outcome kinds of core's audit record (src/core/audit/auditTypes.ts), in the chart's stacking order. */
export type OutcomeKind = AuditOutcomeKind;
export const OUTCOME_KINDS: readonly OutcomeKind[] = AUDIT_OUTCOME_KINDS;

export interface FilterState {
  readonly from?: number;
  readonly to?: number;
  readonly server?: string;
  readonly tool?: string;
  readonly user?: string;
  readonly outcome?: readonly OutcomeKind[];
  /** Where in the editor the call came from (palette, panel, chat …; exact). */
  readonly caller?: string;
  readonly text?: string;
}

/** One table row: core's own row shape. */
export type RowDto = AuditRow;

/** A full record, flattened for display. */
export interface RecordDto {
  readonly id: string;
  readonly time: string;
  readonly durationMs: number;
  readonly human: { readonly iss: string; readonly sub: string; readonly displayName: string };
  readonly agent: string;
  readonly caller: string;
  readonly server: { readonly name: string; readonly target: string; readonly resource: string };
  readonly tool: string;
  /** Redacted arguments, pretty-printed JSON. */
  readonly arguments: string;
  readonly outcome: OutcomeKind;
  readonly status: string;
  readonly missingScope: string;
  readonly code: string;
  readonly error: string;
  readonly resultSize: string;
  readonly scopes: readonly string[];
  readonly hash: string;
  readonly prev: string;
}

/** One breakdown list as the host aggregates it (src/core/audit/auditHistogram.ts). */
export type BreakdownDto = AuditBreakdown;

/**
 * Calls over time stacked by outcome, aggregated by the host (src/core/audit/auditHistogram.ts):
 * `counts[k]` holds the records per outcome (in {@link OUTCOME_KINDS} order) of the bucket starting at
 * `start + k·bucketMs`.
 */
export type HistogramDto = AuditHistogram;

/** Requests the webview may make, with their parameters and results. */
export interface RequestMap {
  query: {
    params: { filter: FilterState; offset: number; limit: number };
    result: { total: number; offset: number; rows: RowDto[]; generation: number };
  };
  record: { params: { ref: string }; result: RecordDto | null };
  facets: {
    params: Record<string, never>;
    result: { servers: string[]; tools: string[]; users: string[]; callers: string[] };
  };
  verify: { params: Record<string, never>; result: { ok: boolean; records: number; message: string } };
  export: { params: { format: 'jsonl' | 'csv'; filter: FilterState }; result: { written: number } | null };
  clear: { params: Record<string, never>; result: { cleared: boolean } };
  histogram: { params: { filter: FilterState; maxBuckets: number }; result: HistogramDto };
}

export type RequestType = keyof RequestMap;

export interface ReadyMessage {
  readonly kind: 'ready';
}

export interface RequestMessage<T extends RequestType = RequestType> {
  readonly kind: 'request';
  readonly id: number;
  readonly type: T;
  readonly params: RequestMap[T]['params'];
}

export type WebviewToHost = ReadyMessage | RequestMessage;

export type ReplyMessage<T extends RequestType = RequestType> =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: RequestMap[T]['result'] }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

/** The off-machine export (OTLP) as the panel shows it; `error` texts are the host's own words. */
export type ExportStatusDto =
  { readonly state: 'off' } | { readonly state: 'misconfigured'; readonly error: string } | OtlpExportStatus;

export type HostEvent =
  | { readonly type: 'appended'; readonly total: number }
  | { readonly type: 'cleared' }
  | { readonly type: 'status'; readonly level: 'info' | 'warning' | 'error'; readonly text: string }
  | { readonly type: 'export'; readonly status: ExportStatusDto };

export interface EventMessage {
  readonly kind: 'event';
  readonly event: HostEvent;
}

export type HostToWebview = ReplyMessage | EventMessage;

const REQUEST_TYPES: readonly RequestType[] = ['query', 'record', 'facets', 'verify', 'export', 'clear', 'histogram'];

function isStr(v: unknown, max = 1000): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Validates a filter coming from the webview (the host treats the webview as untrusted). */
export function isFilterState(v: unknown): v is FilterState {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    (f.from === undefined || isNum(f.from)) &&
    (f.to === undefined || isNum(f.to)) &&
    (f.server === undefined || isStr(f.server)) &&
    (f.tool === undefined || isStr(f.tool)) &&
    (f.user === undefined || isStr(f.user)) &&
    (f.text === undefined || isStr(f.text)) &&
    (f.caller === undefined || isStr(f.caller, 100)) &&
    (f.outcome === undefined ||
      (Array.isArray(f.outcome) && f.outcome.every((o) => OUTCOME_KINDS.includes(o as OutcomeKind))))
  );
}

/** Validates any message from the webview. */
export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  if (m.kind === 'ready') return true;
  if (m.kind !== 'request' || !Number.isSafeInteger(m.id) || !REQUEST_TYPES.includes(m.type as RequestType))
    return false;
  const p = m.params as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) return false;
  switch (m.type as RequestType) {
    case 'query':
      return isFilterState(p.filter) && isNum(p.offset) && isNum(p.limit);
    case 'record':
      return isStr(p.ref, 64);
    case 'export':
      return (p.format === 'jsonl' || p.format === 'csv') && isFilterState(p.filter);
    case 'histogram':
      return isFilterState(p.filter) && isNum(p.maxBuckets);
    default:
      return true;
  }
}
