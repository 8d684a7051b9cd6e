/**
 * Queries over the audit store: an in-memory, column-wise index (dictionary-encoded strings, one
 * array per column) built once per segment and extended incrementally as segments grow, so a filtered
 * query over a million records is a tight integer loop. Full records are read back from disk by
 * reference (`segment:offset:length`) only when shown or exported.
 */
import type { AuditRow } from './auditTypes';
import { join } from 'node:path';
import { AUDIT_OUTCOME_KINDS, humanLabel, type AuditOutcomeKind, type AuditRecord } from './auditRecord';
import { parseRecordLine } from './chainVerifier';
import { listSegments, readAnchor, readSlice, scanLines, segmentName } from './segmentFiles';
import { Dict, float64Column, growAhead, int32Column, type IndexColumn } from './indexColumn';
import { argumentText, MAX_TEXT_CHARS, TextHaystack, type TextHaystackOptions } from './textHaystack';

/** Bytes read (and indexed) per event-loop turn while building the index (~150 records, 1-2 ms). */
const INDEX_READ_BYTES = 64 * 1024;

export interface AuditFilter {
  /** Inclusive lower bound, epoch ms. */
  readonly from?: number;
  /** Inclusive upper bound, epoch ms. */
  readonly to?: number;
  /** Server name or id (exact). */
  readonly server?: string;
  readonly tool?: string;
  /** Human display name or `sub` (exact). */
  readonly user?: string;
  readonly outcome?: AuditOutcomeKind | readonly AuditOutcomeKind[];
  /** Where in the editor the call came from (`who.caller`, exact). */
  readonly caller?: string;
  /** Case-insensitive substring over server, tool, user, caller, outcome, error text and argument values. */
  readonly text?: string;
}

/** One table row (what the panel lists): the node-free type the webview shares. */
export type { AuditRow };

export interface QueryPage {
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly AuditRow[];
}

export interface UnreadableLine {
  readonly segment: string;
  readonly line: number;
  readonly reason: string;
}

/** The first `m` positions: a view when they fill most of `out` (no 4 MB copy at 1M hits), else a compact copy. */
function fitted(out: Int32Array, m: number): Int32Array {
  return m * 2 > out.length ? out.subarray(0, m) : out.slice(0, m);
}

const REF_RE = /^(\d{1,8}):(\d{1,15}):(\d{1,9})$/;
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export class AuditIndex {
  private readonly servers = new Dict();
  private readonly tools = new Dict();
  private readonly users = new Dict();
  private readonly callers = new Dict();
  private readonly hay: TextHaystack;
  private readonly time = float64Column();
  private readonly dur = float64Column();
  private readonly server = int32Column();
  private readonly serverId = int32Column();
  private readonly tool = int32Column();
  private readonly user = int32Column();
  private readonly userSub = int32Column();
  private readonly outcome = int32Column();
  private readonly caller = int32Column();
  private readonly seg = int32Column();
  private readonly offset = int32Column();
  private readonly length = int32Column();
  private readonly indexedTo = new Map<number, { bytes: number; lines: number }>();
  private queue: Promise<unknown> = Promise.resolve();
  private cache: { key: string; positions: Int32Array } | undefined;
  /** Lines that are not valid records (reported, skipped; the rest stays readable). */
  readonly unreadable: UnreadableLine[] = [];
  /** Changes whenever the indexed set changes. */
  generation = 0;

  /** `options` tunes the free-text trigram postings (see textHaystack.ts). */
  constructor(
    readonly dir: string,
    options: TextHaystackOptions = {},
  ) {
    this.hay = new TextHaystack(options);
  }

  /** Builds the index over everything on disk now. */
  static async build(dir: string, options: TextHaystackOptions = {}): Promise<AuditIndex> {
    const ix = new AuditIndex(dir, options);
    await ix.refresh();
    return ix;
  }

  get size(): number {
    return this.time.length;
  }

  /** Indexes what was appended (by any process) since the last refresh; drops removed segments. */
  refresh(): Promise<boolean> {
    const run = this.queue.then(() => this.doRefresh());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doRefresh(): Promise<boolean> {
    const anchor = await readAnchor(this.dir);
    const segs = await listSegments(this.dir, anchor);
    const before = this.size;
    const dropped = this.dropRemoved(new Set(segs.map((s) => s.number)));
    for (const s of segs) {
      const done = this.indexedTo.get(s.number) ?? { bytes: 0, lines: 0 };
      if (s.size <= done.bytes) continue;
      let lines = done.lines;
      // Small reads, and the text index of each finished segment built before the next one is read:
      // the extension host gets its event loop back every few milliseconds during a first build.
      const end = await scanLines(
        s.path,
        (l) => {
          lines = l.line;
          this.addLine(s.number, s.name, l.line, l.offset, l.length, l.text);
        },
        { from: done.bytes, to: s.size, firstLine: done.lines + 1, chunkBytes: INDEX_READ_BYTES },
      );
      this.indexedTo.set(s.number, { bytes: end, lines });
      await this.hay.seal({ keepScratch: true });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await this.hay.seal();
    const changed = dropped || this.size !== before;
    if (changed) {
      this.generation++;
      this.cache = undefined;
    }
    return changed;
  }

  private dropRemoved(present: Set<number>): boolean {
    const gone = [...this.indexedTo.keys()].filter((n) => !present.has(n));
    if (gone.length === 0) return false;
    for (const n of gone) {
      this.indexedTo.delete(n);
      this.hay.drop(n);
    }
    const goneSet = new Set(gone);
    const keep: number[] = [];
    for (let i = 0; i < this.seg.length; i++) if (!goneSet.has(this.seg.at(i))) keep.push(i);
    for (const col of this.allColumns()) col.keep(keep);
    return true;
  }

  private allColumns(): IndexColumn<Float64Array | Int32Array>[] {
    return [
      this.time,
      this.dur,
      this.server,
      this.serverId,
      this.tool,
      this.user,
      this.userSub,
      this.outcome,
      this.caller,
      this.seg,
      this.offset,
      this.length,
    ];
  }

  private addLine(segNo: number, segName: string, line: number, offset: number, length: number, text: string): void {
    const parsed = parseRecordLine(text);
    if ('problem' in parsed) {
      this.unreadable.push({ segment: segName, line, reason: parsed.problem });
      return;
    }
    const r = parsed.record;
    this.time.push(Date.parse(r.time));
    this.dur.push(typeof r.durationMs === 'number' ? r.durationMs : 0);
    this.server.push(this.servers.id(r.what.server.name ?? ''));
    this.serverId.push(this.servers.id(r.what.server.id ?? ''));
    this.tool.push(this.tools.id(r.what.tool));
    this.user.push(this.users.id(humanLabel(r.who)));
    this.userSub.push(this.users.id(r.who.human?.sub ?? ''));
    this.outcome.push(AUDIT_OUTCOME_KINDS.indexOf(r.outcome.kind));
    this.caller.push(this.callers.id(r.who.caller ?? ''));
    this.hay.add(segNo, `${r.outcome.error ?? ''} ${argumentText(r.what.arguments, MAX_TEXT_CHARS)}`);
    this.seg.push(segNo);
    this.offset.push(offset);
    this.length.push(length);
    if ((this.size & 255) === 0) growAhead(this.allColumns());
  }

  /** Positions (ascending = chronological append order) matching the filter; cached per generation. */
  matches(filter: AuditFilter): Int32Array {
    const key = JSON.stringify(filter);
    if (this.cache?.key === key) return this.cache.positions;
    const positions = this.scan(filter);
    this.cache = { key, positions };
    return positions;
  }

  private scan(f: AuditFilter): Int32Array {
    const n = this.size;
    const srv = f.server ? (this.servers.lookup(f.server) ?? -2) : -1;
    const tool = f.tool ? (this.tools.lookup(f.tool) ?? -2) : -1;
    const user = f.user ? (this.users.lookup(f.user) ?? -2) : -1;
    const caller = f.caller ? (this.callers.lookup(f.caller) ?? -2) : -1;
    const kinds = f.outcome === undefined ? undefined : Array.isArray(f.outcome) ? f.outcome : [f.outcome];
    const outMask = kinds ? AUDIT_OUTCOME_KINDS.map((k) => kinds.includes(k)) : undefined;
    const needle = f.text?.trim().toLowerCase();
    const textOk = needle ? this.textMatches(needle) : undefined;
    const from = f.from ?? -Infinity;
    const to = f.to ?? Infinity;
    const out = new Int32Array(n);
    let m = 0;
    if (
      textOk &&
      srv === -1 &&
      tool === -1 &&
      user === -1 &&
      caller === -1 &&
      !outMask &&
      f.from === undefined &&
      f.to === undefined
    ) {
      for (let i = 0; i < n; i++) if (textOk[i]) out[m++] = i; // free text alone: no column to test
      return fitted(out, m);
    }
    const time = this.time.view();
    const server = this.server.view();
    const serverId = this.serverId.view();
    const toolCol = this.tool.view();
    const userCol = this.user.view();
    const userSub = this.userSub.view();
    const outcome = this.outcome.view();
    const callerCol = this.caller.view();
    for (let i = 0; i < n; i++) {
      const t = time[i] as number;
      if (t < from || t > to) continue;
      if (srv !== -1 && server[i] !== srv && serverId[i] !== srv) continue;
      if (tool !== -1 && toolCol[i] !== tool) continue;
      if (user !== -1 && userCol[i] !== user && userSub[i] !== user) continue;
      if (outMask && !outMask[outcome[i] as number]) continue;
      if (caller !== -1 && callerCol[i] !== caller) continue;
      if (textOk && !textOk[i]) continue;
      out[m++] = i;
    }
    return fitted(out, m);
  }

  /** Approximate bytes the free-text search holds (haystack text and offsets; trigram postings). */
  textMemoryBytes(): { haystack: number; postings: number; positions: number } {
    return this.hay.memoryBytes();
  }

  /**
   * Per-record hits of a free-text search: error text and arguments (haystack), OR'd with the
   * records whose server, tool, user, caller or outcome contains the needle. A column is only walked
   * when some dictionary value matches, so the common case costs just the haystack search.
   */
  private textMatches(needle: string): Uint8Array {
    const hits = this.textHits(needle);
    const cols: [Uint8Array | boolean[], Int32Array][] = [];
    const add = (mask: Uint8Array | boolean[], ...columns: IndexColumn<Int32Array>[]): void => {
      if (mask.some(Boolean)) for (const c of columns) cols.push([mask, c.view()]);
    };
    add(this.servers.mask(needle), this.server, this.serverId);
    add(this.tools.mask(needle), this.tool);
    add(this.users.mask(needle), this.user, this.userSub);
    add(this.callers.mask(needle), this.caller);
    add(
      AUDIT_OUTCOME_KINDS.map((k) => k.includes(needle)),
      this.outcome,
    );
    for (const [mask, col] of cols) for (let i = 0; i < col.length; i++) if (mask[col[i] as number]) hits[i] = 1;
    return hits;
  }

  /** Per-record hits of a free-text search over error text and arguments. */
  private textHits(needle: string): Uint8Array {
    const hits = new Uint8Array(this.size);
    this.hay.search(
      needle,
      [...this.indexedTo.keys()].sort((a, b) => a - b),
      hits,
    );
    return hits;
  }

  /** A page of matching rows, newest first. */
  query(filter: AuditFilter, offset = 0, limit = 100): QueryPage {
    const pos = this.matches(filter);
    const start = Math.max(0, Math.floor(offset));
    const count = Math.max(0, Math.min(Math.floor(limit), 1000, pos.length - start));
    const rows: AuditRow[] = [];
    for (let k = 0; k < count; k++) rows.push(this.row(pos[pos.length - 1 - start - k] as number));
    return { total: pos.length, offset: start, rows };
  }

  private row(i: number): AuditRow {
    return {
      ref: `${this.seg.at(i)}:${this.offset.at(i)}:${this.length.at(i)}`,
      time: this.time.at(i),
      server: this.servers.values[this.server.at(i)] ?? '',
      tool: this.tools.values[this.tool.at(i)] ?? '',
      user: this.users.values[this.user.at(i)] ?? '',
      outcome: AUDIT_OUTCOME_KINDS[this.outcome.at(i)] ?? 'success',
      durationMs: this.dur.at(i),
      caller: this.callers.values[this.caller.at(i)] ?? '',
    };
  }

  /** Distinct values for filter pickers. */
  facets(): { servers: string[]; tools: string[]; users: string[]; callers: string[] } {
    const used = (d: Dict, col: IndexColumn<Int32Array>): string[] => {
      const seen = new Uint8Array(d.values.length);
      for (const v of col.view()) seen[v] = 1;
      return d.values.filter((v, i) => seen[i] && v !== '').sort();
    };
    return {
      servers: used(this.servers, this.server),
      tools: used(this.tools, this.tool),
      users: used(this.users, this.user),
      callers: used(this.callers, this.caller),
    };
  }

  /** The full stored record behind a row reference (undefined when the ref is malformed or gone). */
  async getRecord(ref: string): Promise<AuditRecord | undefined> {
    const m = REF_RE.exec(ref);
    if (!m) return undefined;
    const [segNo, offset, length] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (length > MAX_RECORD_BYTES) return undefined;
    try {
      const parsed = parseRecordLine(await readSlice(join(this.dir, segmentName(segNo)), offset, length));
      return 'record' in parsed ? parsed.record : undefined;
    } catch {
      return undefined;
    }
  }

  /** Matching records in chronological order, read segment by segment. */
  async *records(filter: AuditFilter): AsyncGenerator<AuditRecord> {
    const pos = this.matches(filter);
    let k = 0;
    while (k < pos.length) {
      const segNo = this.seg.at(pos[k] as number);
      const wanted = new Map<number, true>();
      for (; k < pos.length && this.seg.at(pos[k] as number) === segNo; k++)
        wanted.set(this.offset.at(pos[k] as number), true);
      const batch: AuditRecord[] = [];
      await scanLines(join(this.dir, segmentName(segNo)), (l) => {
        if (!wanted.has(l.offset)) return;
        const parsed = parseRecordLine(l.text);
        if ('record' in parsed) batch.push(parsed.record);
      }).catch(() => undefined);
      yield* batch;
    }
  }

  /**
   * The columns aggregations walk (auditHistogram.ts), as read-only views without a copy: per record its
   * time (epoch ms), outcome (index into AUDIT_OUTCOME_KINDS) and the dictionary ids of server name,
   * tool and caller, with the dictionaries that turn ids back into text.
   */
  columns(): AuditColumns {
    return {
      time: this.time.view(),
      outcome: this.outcome.view(),
      server: this.server.view(),
      tool: this.tool.view(),
      caller: this.caller.view(),
      servers: this.servers.values,
      tools: this.tools.values,
      callers: this.callers.values,
    };
  }
}

/** See {@link AuditIndex.columns}. */
export interface AuditColumns {
  readonly time: ArrayLike<number>;
  readonly outcome: ArrayLike<number>;
  readonly server: ArrayLike<number>;
  readonly tool: ArrayLike<number>;
  readonly caller: ArrayLike<number>;
  readonly servers: readonly string[];
  readonly tools: readonly string[];
  readonly callers: readonly string[];
}
