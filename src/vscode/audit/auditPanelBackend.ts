/**
 * Host side of the audit panel protocol (src/webview/protocol.ts), free of `vscode` so it is unit
 * tested in plain Node: validates every webview message, answers requests from the audit index,
 * re-redacts everything it posts, and pushes live updates as records are appended.
 */
import { agentLabel, type AuditRecord } from '../../core/audit/auditRecord';
import { redactForExport, exportAudit } from '../../core/audit/auditExport';
import { auditHistogram, MAX_BUCKETS } from '../../core/audit/auditHistogram';
import type { AuditFilter, AuditIndex } from '../../core/audit/auditIndex';
import type { AuditTrail } from '../../core/audit/auditTrail';
import { Emitter, type Disposable, type Event } from '../../core/common/event';
import type { Logger } from '../../core/ports';
import {
  isWebviewToHost,
  type BreakdownDto,
  type ExportStatusDto,
  type FilterState,
  type HistogramDto,
  type HostEvent,
  type HostToWebview,
  type RecordDto,
  type RequestMap,
  type RequestMessage,
  type RequestType,
  type RowDto,
} from '../../webview/protocol';
import { Strings } from '../strings';

/** What the backend needs from the editor UI. */
export interface AuditPanelUi {
  /** Where to export (undefined = cancelled). */
  pickExportTarget(format: 'jsonl' | 'csv'): Promise<string | undefined>;
  /** A modal confirmation before clearing. */
  confirmClear(): Promise<boolean>;
  notify(level: 'info' | 'warning' | 'error', text: string): void;
}

const LIVE_UPDATE_DELAY_MS = 100;
/** A chart of the whole log shows at least this many bars (a few calls read as a burst in time). */
const MIN_CHART_BUCKETS = 30;

/** Where the panel reads the off-machine export status (see auditExportController.ts). */
export interface ExportStatusSource {
  readonly status: ExportStatusDto;
  readonly onDidChangeStatus: Event<ExportStatusDto>;
}

/** Where a webview shows the panel (the side bar view or an editor tab). */
export type AuditSurface = 'view' | 'editor';

/**
 * One webview's side of the conversation. Replies go only to the webview that asked (two open panels
 * number their requests independently, so a broadcast reply would resolve the other panel's request);
 * events go to every webview that has said `ready`.
 */
export interface AuditPanelSession extends Disposable {
  readonly surface: AuditSurface;
  /** Handles one raw message from this session's webview. */
  handle(raw: unknown): Promise<void>;
  /** What the session has done so far (tests, diagnostics). */
  snapshot(): { surface: AuditSurface; ready: boolean; answered: RequestType[] };
}

interface SessionState {
  readonly surface: AuditSurface;
  readonly post: (m: HostToWebview) => void;
  ready: boolean;
  readonly answered: Set<RequestType>;
}

export class AuditPanelBackend implements Disposable {
  private indexPromise: Promise<AuditIndex> | undefined;
  private readonly posted = new Emitter<HostToWebview>();
  private readonly subscriptions: Disposable[] = [];
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sessions = new Set<SessionState>();
  /** The session behind {@link handle} / {@link onDidPost} (one webview, or a test). */
  private readonly direct: SessionState = {
    surface: 'view',
    post: (m) => this.posted.fire(m),
    ready: false,
    answered: new Set(),
  };
  /** Messages for the webview (the view provider forwards them with postMessage). */
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly trail: AuditTrail,
    private readonly logger: Logger,
    private readonly ui: AuditPanelUi,
    private readonly exportStatus?: ExportStatusSource,
  ) {
    this.subscriptions.push(trail.onDidAppend(() => this.scheduleLiveUpdate()));
    this.subscriptions.push(
      trail.onDidFail((f) =>
        this.pushEvent({
          type: 'status',
          level: 'error',
          text: Strings.auditWriteFailedStatus(f.error.message, f.unwritten),
        }),
      ),
    );
    this.subscriptions.push(
      trail.store.onDidReport((r) => {
        if (r.kind === 'integrity_violation')
          this.pushEvent({
            type: 'status',
            level: 'error',
            text: Strings.auditIntegrityStatus(this.trail.redactor.redactText(r.message)),
          });
      }),
    );
    if (exportStatus)
      this.subscriptions.push(exportStatus.onDidChangeStatus((s) => this.pushEvent({ type: 'export', status: s })));
    this.sessions.add(this.direct);
  }

  /** A session for one more webview; `post` delivers to that webview only. Dispose when it closes. */
  connect(post: (m: HostToWebview) => void, surface: AuditSurface): AuditPanelSession {
    const state: SessionState = { surface, post, ready: false, answered: new Set() };
    this.sessions.add(state);
    return {
      surface,
      handle: (raw) => this.handleFrom(raw, state),
      snapshot: () => ({ surface, ready: state.ready, answered: [...state.answered] }),
      dispose: () => {
        this.sessions.delete(state);
      },
    };
  }

  /** The sessions of the webviews open now (not the direct one). */
  openSessions(): { surface: AuditSurface; ready: boolean; answered: RequestType[] }[] {
    return [...this.sessions]
      .filter((s) => s !== this.direct)
      .map((s) => ({ surface: s.surface, ready: s.ready, answered: [...s.answered] }));
  }

  /** The index, built on first use and refreshed incrementally afterwards. */
  index(): Promise<AuditIndex> {
    // the index code (trigram index, haystack) is evaluated on the first query, not at activation
    this.indexPromise ??= import('../../core/audit/auditIndex').then(({ AuditIndex: Index }) =>
      Index.build(this.trail.store.dir),
    );
    return this.indexPromise;
  }

  /** Handles one raw message from the webview (the direct session: replies through {@link onDidPost}). */
  handle(raw: unknown): Promise<void> {
    return this.handleFrom(raw, this.direct);
  }

  private async handleFrom(raw: unknown, session: SessionState): Promise<void> {
    if (!isWebviewToHost(raw)) {
      this.logger.warn('ignored a malformed message from the audit webview');
      return;
    }
    if (raw.kind === 'ready') {
      session.ready = true;
      if (this.exportStatus)
        session.post({ kind: 'event', event: { type: 'export', status: this.exportStatus.status } });
      return;
    }
    try {
      const result = await this.answer(raw);
      session.answered.add(raw.type);
      session.post({ kind: 'reply', id: raw.id, ok: true, result });
    } catch (err) {
      this.logger.warn(
        `audit panel request ${raw.type} failed: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
      session.post({
        kind: 'reply',
        id: raw.id,
        ok: false,
        error: this.trail.redactor.redactText(err instanceof Error ? err.message : Strings.requestFailed),
      });
    }
  }

  private async answer(m: RequestMessage): Promise<RequestMap[RequestType]['result']> {
    switch (m.type) {
      case 'query': {
        const p = m.params as RequestMap['query']['params'];
        const ix = await this.index();
        const page = ix.query(toFilter(p.filter), p.offset, Math.min(p.limit, 1000));
        return {
          total: page.total,
          offset: page.offset,
          rows: page.rows.map((r) => this.row(r)),
          generation: ix.generation,
        };
      }
      case 'record': {
        const rec = await (await this.index()).getRecord((m.params as RequestMap['record']['params']).ref);
        return rec ? this.toDto(rec) : null;
      }
      case 'facets': {
        const f = (await this.index()).facets();
        const r = (xs: string[]): string[] => xs.map((x) => this.trail.redactor.redactText(x));
        return { servers: r(f.servers), tools: r(f.tools), users: r(f.users), callers: r(f.callers) };
      }
      case 'verify':
        return this.verify();
      case 'export': {
        const p = m.params as RequestMap['export']['params'];
        return this.export(p.format, p.filter);
      }
      case 'clear':
        return { cleared: await this.clear() };
      case 'histogram': {
        const p = m.params as RequestMap['histogram']['params'];
        return this.histogram(p.filter, p.maxBuckets);
      }
    }
  }

  /** Calls over time by outcome and the server / tool / caller breakdowns: numbers and redacted names only. */
  private async histogram(filter: FilterState, maxBuckets: number): Promise<HistogramDto> {
    const max = Math.max(1, Math.min(MAX_BUCKETS, maxBuckets));
    const h = auditHistogram(await this.index(), toFilter(filter), {
      maxBuckets: max,
      minBuckets: Math.min(MIN_CHART_BUCKETS, max),
    });
    const names = (b: BreakdownDto): BreakdownDto => ({
      ...b,
      top: b.top.map((e) => ({ value: this.trail.redactor.redactText(e.value), count: e.count })),
    });
    return { ...h, servers: names(h.servers), tools: names(h.tools), callers: names(h.callers) };
  }

  /** Verifies the chain and says where it breaks (also used by the command). */
  async verify(): Promise<RequestMap['verify']['result']> {
    await this.trail.flush();
    const v = await this.trail.store.verify();
    const ix = await this.index();
    await ix.refresh();
    const b = v.firstBroken;
    const where =
      b && b.line > 0
        ? Strings.auditBrokenAt(String(b.record), b.segment, b.line)
        : Strings.auditBrokenAtRecord(String(b?.record));
    const records = v.records.toLocaleString('en-US');
    const message = v.ok
      ? v.witnessedHead === undefined
        ? Strings.auditIntact(records, v.segments)
        : Strings.auditIntactWitnessed(records, v.segments, v.witnessedHead.toLocaleString('en-US'))
      : v.problems.length > 1
        ? Strings.auditCheckFailedMany(where, String(b?.reason), v.problems.length)
        : Strings.auditCheckFailed(where, String(b?.reason));
    return { ok: v.ok, records: v.records, message };
  }

  /** Exports the filtered records to a file the user picks; null when cancelled. */
  async export(format: 'jsonl' | 'csv', filter: FilterState = {}): Promise<{ written: number } | null> {
    const target = await this.ui.pickExportTarget(format);
    if (!target) return null;
    await this.trail.flush();
    const ix = await this.index();
    await ix.refresh();
    const written = await exportAudit(ix, toFilter(filter), format, target, this.trail.redactor);
    this.ui.notify('info', Strings.auditExported(written));
    return { written };
  }

  /** Clears after a modal confirmation; true when cleared. */
  async clear(): Promise<boolean> {
    if (!(await this.ui.confirmClear())) return false;
    await this.trail.flush();
    await this.trail.store.clear();
    await (await this.index()).refresh();
    this.pushEvent({ type: 'cleared' });
    return true;
  }

  /** Re-reads appends from other windows and tells the webview. */
  async refresh(): Promise<void> {
    const ix = await this.index();
    await ix.refresh();
    this.pushEvent({ type: 'appended', total: ix.size });
  }

  dispose(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    for (const s of this.subscriptions) s.dispose();
    this.sessions.clear();
    this.posted.dispose();
  }

  private scheduleLiveUpdate(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.refresh().catch((err: unknown) =>
        this.logger.warn(`audit panel refresh failed: ${err instanceof Error ? err.message : 'unknown'}`),
      );
    }, LIVE_UPDATE_DELAY_MS);
  }

  private pushEvent(event: HostEvent): void {
    for (const s of this.sessions) if (s.ready) s.post({ kind: 'event', event });
  }

  private row(r: RowDto): RowDto {
    const x = (s: string): string => this.trail.redactor.redactText(s);
    return { ...r, server: x(r.server), tool: x(r.tool), user: x(r.user) };
  }

  private toDto(raw: AuditRecord): RecordDto {
    const r = redactForExport(raw, this.trail.redactor);
    const x = (s: string | undefined): string => this.trail.redactor.redactText(s ?? '');
    return {
      id: r.id,
      time: r.time,
      durationMs: r.durationMs,
      // Identities are public identifiers (issuer URL, subject, OAuth client_id, secret fingerprint), not
      // secrets: value-shape redaction would hide a random client_id or subject as "high entropy" and
      // leave the record without its "who". The stored record holds no secret in these fields.
      human: { iss: r.who.human?.iss ?? '', sub: r.who.human?.sub ?? '', displayName: x(r.who.human?.displayName) },
      // A chat call (gateway) names VS Code's conversation: an identifier like the client_id, shown as text.
      agent: agentLabel(r.who.agent) || 'none',
      caller: r.who.conversationId ? `${r.who.caller} · conversation ${r.who.conversationId}` : r.who.caller,
      server: { name: x(r.what.server.name), target: x(r.what.server.target), resource: x(r.what.server.resource) },
      tool: r.what.tool,
      arguments: JSON.stringify(r.what.arguments ?? null, null, 2),
      outcome: r.outcome.kind,
      status: r.outcome.status === undefined ? '' : String(r.outcome.status),
      missingScope: x(r.outcome.missingScope),
      code: x(r.outcome.code),
      error: r.outcome.error ?? '',
      resultSize: r.outcome.resultSize === undefined ? '' : String(r.outcome.resultSize),
      scopes: (r.scopes ?? []).map(x),
      hash: r.hash,
      prev: r.prev,
    };
  }
}

function toFilter(f: FilterState): AuditFilter {
  return { ...f, outcome: f.outcome && f.outcome.length > 0 ? f.outcome : undefined };
}
