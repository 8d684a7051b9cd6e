/**
 * The durable, append-only, hash-chained audit store (one directory, usually the extension's
 * globalStorage). Design decisions:
 * - Segments of canonical JSONL; each record's `prev` is the previous record's `hash`, across segments.
 * - One write queue per process: appends are batched; a batch is sealed, written with a single
 *   `write()` on an `O_APPEND` descriptor and `fdatasync`ed before its promises resolve.
 * - Group commit (`commitDelayMs`, the editor uses {@link GROUP_COMMIT_MS}): the first record queued
 *   starts a short timer and everything queued until it fires is written as one batch. Each batch
 *   costs about a dozen file-system calls (lock, re-sync, write, fdatasync, witnessed head, unlock)
 *   whose completions run on the event loop the MCP calls use; back-to-back tool calls otherwise pay
 *   them once per call. Durability window: a record is on disk at most `commitDelayMs` plus one write
 *   after its call ended; a kill -9 or power loss inside that window loses it (as it loses a record
 *   whose write is in flight without the delay). `flush()` and `close()` write at once.
 * - Cross-process safety (two editor windows): every batch is written while holding a lock file
 *   (see fileLock.ts) and after re-syncing the chain head from disk, so records from two processes
 *   interleave whole and the chain stays linear.
 * - With a {@link AuditWitness}, the head (count, hash, segment, offset) and the anchor are witnessed
 *   outside the folder under a keyed MAC, written under the lock right after each durable batch (so the
 *   head lags the log by at most one batch after a crash). Whenever the log no longer contains the
 *   witnessed head, an `integrity` event is chained before anything else is written; verification
 *   fails while such an event is in the log.
 * - A torn last line (crash mid-write) is detected under the lock, moved to `quarantine.jsonl` and
 *   reported; a complete record that only lost its newline is completed instead.
 * - Retention and clear remove whole segments; each first chains a `retention`/`clear` event record
 *   naming what goes, then moves the anchor (witnessed first, then `anchor.json`), then unlinks.
 * - The folder is 0700 and every file 0600, also when they existed before (tightened on open).
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { McpSecureError } from '../errors';
import { systemClock, type Clock } from '../ports';
import { eventDraft, type AuditActor } from './auditEvents';
import { GENESIS_HASH, sealRecordLine, type AuditDraft, type AuditRecord } from './auditRecord';
import { witnessedHead, type AuditHead, type AuditWitness, type WitnessedAnchor } from './auditWitness';
import {
  diskMatches,
  planRetention,
  removeLockLitter,
  sumLines,
  toWitnessed,
  type RetentionPolicy,
} from './auditRetention';
import { followHead, readSegmentHead } from './chainTail';
import { verifyChain, type VerifyResult } from './chainVerifier';
import { Emitter } from './emitter';
import type { AppendOutcome, AuditWriter } from './auditWriter';
import { acquireFileLock, type FileLockOptions } from './fileLock';
import {
  ensurePrivateDir,
  FILE_MODE,
  listSegments,
  LOCK_FILE,
  readAnchor,
  segmentName,
  writeAnchor,
  type ChainAnchor,
  type SegmentInfo,
} from './segmentFiles';

export type { RetentionPolicy } from './auditRetention';

export interface AuditStoreOptions {
  readonly dir: string;
  /** Rotate to a new segment once the active one reaches this size (default 16 MiB). */
  readonly segmentMaxBytes?: number;
  readonly retention?: RetentionPolicy;
  /** fdatasync every batch (default true). */
  readonly durable?: boolean;
  /** Records per write (default 512). */
  readonly maxBatch?: number;
  /** Group commit: how long the first queued record waits for others before the batch is written (default 0). */
  readonly commitDelayMs?: number;
  readonly lock?: FileLockOptions;
  readonly clock?: Clock;
  /** Witnesses the head outside the folder; without it only in-place edits are detected. */
  readonly witness?: AuditWitness;
}

/** Something the store repaired, removed or found, reported to the user (never silent). */
export interface StoreReport {
  readonly kind:
    | 'torn_line_quarantined'
    | 'torn_line_completed'
    | 'segment_removed'
    | 'unreadable_head'
    | 'integrity_violation'
    | 'witness_started'
    | 'witness_write_failed';
  readonly segment: string;
  readonly message: string;
}

export interface AppendedBatch {
  readonly records: readonly AuditRecord[];
  readonly segment: string;
}

interface Pending {
  draft: AuditDraft;
  resolve(record: AuditRecord): void;
  reject(err: unknown): void;
}

const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/**
 * Group-commit delay of the editor's audit store (see the file comment): measured with
 * `npm run bench:calls`, it turns one batch per back-to-back tool call into one per ~10 calls.
 */
export const GROUP_COMMIT_MS = 25;
/** Marks "the witness could not be read": no check and no re-witnessing this time. */
const HEAD_UNAVAILABLE = Symbol('head unavailable');

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

function asWriteError(err: unknown): McpSecureError {
  return err instanceof McpSecureError
    ? err
    : new McpSecureError('audit_write_failed', `cannot write the audit log (${errnoCode(err)})`, { cause: err });
}

export class AuditStore implements AuditWriter {
  private readonly pending: Pending[] = [];
  private queue: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;
  private opening: Promise<void> | undefined;
  private anchor: ChainAnchor | undefined;
  private active = 0;
  private activeSize = 0;
  private lastHash = GENESIS_HASH;
  private head: AuditHead | undefined;
  private handle: { number: number; fh: FileHandle } | undefined;
  private readonly appended = new Emitter<AppendedBatch>();
  private readonly reported = new Emitter<StoreReport>();
  private readonly segmentMaxBytes: number;
  private readonly clock: Clock;
  /** Repairs made while opening. */
  readonly recovery: StoreReport[] = [];
  /** Fires after each durable batch (live UI, forwarder, index refresh). */
  readonly onDidAppend = this.appended.event;
  /** Fires on every repair, removal or integrity finding. */
  readonly onDidReport = this.reported.event;

  private constructor(readonly options: AuditStoreOptions) {
    this.segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES;
    this.clock = options.clock ?? systemClock;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Opens (creating the folder 0700), repairs a torn tail and checks the witnessed head. */
  static async open(options: AuditStoreOptions): Promise<AuditStore> {
    const store = new AuditStore(options);
    const sub = store.onDidReport((r) => store.recovery.push(r));
    try {
      await store.whenOpen();
    } finally {
      sub.dispose();
    }
    return store;
  }

  /**
   * The store without waiting for it to open (editor activation): opening starts with the first
   * operation or {@link whenOpen}, and every operation waits for it, so appends made meanwhile are
   * queued, not lost. Repairs made while opening are reported on `onDidReport` (not in `recovery`).
   */
  static create(options: AuditStoreOptions): AuditStore {
    return new AuditStore(options);
  }

  /** Resolves once the store is open; a failed opening is tried again by the next operation. */
  whenOpen(): Promise<void> {
    return (this.opening ??= this.openNow().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    }));
  }

  private async openNow(): Promise<void> {
    try {
      await ensurePrivateDir(this.dir);
    } catch (err) {
      throw new McpSecureError('audit_write_failed', `cannot create the audit folder (${errnoCode(err)})`, {
        cause: err,
      });
    }
    await removeLockLitter(this.dir);
    await this.locked(() => this.resync(true));
  }

  /** Queues a record; resolves once it is sealed, written and synced. */
  append(draft: AuditDraft): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ draft, resolve, reject });
      const delay = this.options.commitDelayMs ?? 0;
      if (this.pending.length === 1 && delay > 0) this.commitTimer = setTimeout(() => this.commit(), delay);
      else if (
        this.pending.length === 1 ||
        (this.commitTimer && this.pending.length === (this.options.maxBatch ?? 512))
      )
        this.commit();
    });
  }

  /** {@link AuditWriter.appendAll}: each draft is written whole or comes back in `failed`. */
  async appendAll(drafts: readonly AuditDraft[]): Promise<AppendOutcome> {
    const settled = await Promise.allSettled(drafts.map((d) => this.append(d)));
    const failed = drafts.filter((_, i) => settled[i]?.status === 'rejected');
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    return rejected ? { failed, error: asWriteError(rejected.reason) } : { failed };
  }

  /** Resolves when everything queued so far has been written (or failed). */
  flush(): Promise<void> {
    return this.exclusive(async () => undefined);
  }

  /** Starts writing what is queued (ends a group-commit wait). */
  private commit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.queue = this.queue.then(() => this.drain());
  }

  /** Anchor and segments as they are on disk now (consistent: taken under the lock). */
  snapshot(): Promise<{ anchor?: ChainAnchor; segments: SegmentInfo[]; head?: AuditHead }> {
    return this.exclusive(() =>
      this.locked(async () => {
        await this.resync(false);
        return { anchor: this.anchor, segments: await listSegments(this.dir, this.anchor), head: this.head };
      }),
    );
  }

  /**
   * Verifies the whole retained chain: every link, the witnessed head (its record count and hash),
   * and no `integrity` event. Re-reads everything from disk first (under the lock).
   */
  async verify(): Promise<VerifyResult> {
    const snap = await this.exclusive(() =>
      this.locked(async () => {
        await this.resync(true);
        return { anchor: this.anchor, segments: await listSegments(this.dir, this.anchor), head: this.head };
      }),
    );
    return verifyChain(snap.segments, snap.anchor?.prevHash ?? GENESIS_HASH, {
      head: snap.head,
      firstRecord: snap.anchor?.records ?? 0,
    });
  }

  /**
   * Removes every record. A `clear` event (who asked, how many records went) is chained first and
   * becomes the first record of the new log, so verification continues across the clear.
   */
  clear(actor: AuditActor = { caller: 'panel' }): Promise<void> {
    return this.exclusive(() =>
      this.locked(async () => {
        await this.resync(false);
        const old = await listSegments(this.dir, this.anchor);
        const removed = this.head ? this.head.records - this.head.anchor.records : await sumLines(old);
        await this.closeHandle();
        this.active += 1;
        this.activeSize = 0;
        const before = this.head?.records ?? (this.anchor?.records ?? 0) + removed;
        const next: WitnessedAnchor = { firstSegment: this.active, prevHash: this.lastHash, records: before };
        const detail = `the audit log was cleared: ${removed} record(s) in ${old.length} segment(s) removed`;
        await this.writeDrafts(
          [
            eventDraft(
              'clear',
              detail,
              { removedRecords: removed, removedSegments: old.map((s) => s.name) },
              this.clock.now(),
              actor,
            ),
          ],
          next,
        );
        await this.moveAnchor(next, 'clear', old);
      }),
    );
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeHandle();
    this.appended.dispose();
    this.reported.dispose();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // records waiting for a group commit are written first: reads, clear and flush see every record queued before them
    if (this.commitTimer) this.commit();
    const run = this.queue.then(async () => {
      await this.whenOpen();
      return fn();
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const release = await acquireFileLock(join(this.dir, LOCK_FILE), this.options.lock);
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  private async drain(): Promise<void> {
    try {
      await this.whenOpen();
    } catch (err) {
      for (const p of this.pending.splice(0)) p.reject(err);
      return;
    }
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch ?? 512);
      try {
        const records = await this.locked(() => this.writeBatch(batch.map((p) => p.draft)));
        batch.forEach((p, i) => p.resolve(records[i] as AuditRecord));
      } catch (err) {
        const e = asWriteError(err);
        for (const p of batch) p.reject(e);
      }
    }
  }

  /** Writes one batch of tool-call records (after a retention event when a new segment starts). */
  private async writeBatch(drafts: AuditDraft[]): Promise<AuditRecord[]> {
    // a head that could not be read before is read again before each batch until it can
    await this.resync(this.options.witness !== undefined && this.head === undefined);
    if (this.activeSize >= this.segmentMaxBytes) {
      await this.closeHandle();
      this.active += 1;
      this.activeSize = 0;
    }
    const retention =
      this.activeSize === 0
        ? await planRetention({
            dir: this.dir,
            anchor: this.anchor,
            active: this.active,
            lastHash: this.lastHash,
            policy: this.options.retention,
            now: this.clock.now(),
          })
        : undefined;
    const all = retention ? [retention.draft, ...drafts] : drafts;
    const records = await this.writeDrafts(all, retention?.anchor);
    if (retention) await this.moveAnchor(retention.anchor, 'retention', retention.removed);
    return retention ? records.slice(1) : records;
  }

  /**
   * Chains and writes drafts at the tip (one write, fdatasync), then witnesses the new head (with the
   * new anchor, when the drafts begin a retention or clear). Lock held.
   */
  private async writeDrafts(drafts: readonly AuditDraft[], nextAnchor?: WitnessedAnchor): Promise<AuditRecord[]> {
    let prev = this.lastHash;
    const records: AuditRecord[] = [];
    let text = '';
    for (const d of drafts) {
      const { record, line } = sealRecordLine(d, prev);
      prev = record.hash;
      records.push(record);
      text += `${line}\n`;
    }
    const data = Buffer.from(text, 'utf8');
    const fh = await this.openActive();
    const before = this.activeSize;
    try {
      let written = 0;
      while (written < data.length) written += (await fh.write(data, written, data.length - written)).bytesWritten;
      if (this.options.durable !== false) await fh.datasync();
    } catch (err) {
      await fh.truncate(before).catch(() => undefined); // never leave a torn batch behind
      await this.closeHandle();
      throw new McpSecureError('audit_write_failed', `cannot write the audit log (${errnoCode(err)})`, { cause: err });
    }
    this.activeSize += data.length;
    this.lastHash = prev;
    if (this.head) {
      const h = this.head;
      this.head = {
        v: 1,
        records: h.records + records.length,
        hash: prev,
        segment: this.active,
        end: this.activeSize,
        anchor: nextAnchor ?? h.anchor,
        prevAnchor: nextAnchor ? h.anchor : h.prevAnchor,
      };
      await this.saveHead();
    }
    this.appended.fire({ records, segment: segmentName(this.active) });
    return records;
  }

  private async saveHead(): Promise<void> {
    if (!this.head || !this.options.witness) return;
    try {
      await this.options.witness.save(this.head);
    } catch (err) {
      // The log is durable; the head lags until the next successful save (reported, not thrown:
      // failing the batch would make the trail write its records twice).
      this.report(
        'witness_write_failed',
        '',
        `the audit head could not be witnessed (${errnoCode(err)}); truncation of the newest records is not detectable until it can`,
      );
    }
  }

  /** Moves `anchor.json` to the (already witnessed) anchor and unlinks the segments before it. */
  private async moveAnchor(
    next: WitnessedAnchor,
    reason: ChainAnchor['reason'],
    removed: readonly SegmentInfo[],
  ): Promise<void> {
    this.anchor = { ...next, reason, at: new Date(this.clock.now()).toISOString() };
    await writeAnchor(this.dir, this.anchor);
    for (const seg of removed) {
      await fsp.unlink(seg.path).catch(() => undefined);
      if (reason === 'retention') this.report('segment_removed', seg.name, `retention removed ${seg.name}`);
    }
  }

  private async openActive(): Promise<FileHandle> {
    if (this.handle?.number === this.active) return this.handle.fh;
    await this.closeHandle();
    try {
      const fh = await fsp.open(join(this.dir, segmentName(this.active)), 'a', FILE_MODE);
      this.handle = { number: this.active, fh };
      return fh;
    } catch (err) {
      throw new McpSecureError('audit_write_failed', `cannot open the audit log (${errnoCode(err)})`, { cause: err });
    }
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.fh.close().catch(() => undefined);
  }

  private report(kind: StoreReport['kind'], segment: string, message: string): void {
    this.reported.fire({ kind, segment, message });
  }

  /** Re-reads the chain head from disk when another process (or a crash) changed it. Lock held. */
  private async resync(force: boolean): Promise<void> {
    if (!force && this.active > 0) {
      const [cur, next] = await Promise.all([
        fsp.stat(join(this.dir, segmentName(this.active))).catch(() => undefined),
        fsp.stat(join(this.dir, segmentName(this.active + 1))).catch(() => undefined),
      ]);
      const unchanged = cur ? cur.size === this.activeSize : this.activeSize === 0;
      if (unchanged && !next) return;
    }
    const findings: string[] = [];
    const loaded = await this.loadHead(findings);
    if (loaded === HEAD_UNAVAILABLE) {
      this.anchor = await readAnchor(this.dir);
      return this.readTip();
    }
    const witnessed = loaded;
    await this.reconcileAnchor(witnessed, findings);
    await this.readTip();
    if (witnessed) {
      const tip = await followHead(witnessed, await listSegments(this.dir, this.anchor));
      if ('problem' in tip) findings.push(tip.problem);
      else {
        this.head = { ...witnessed, ...tip };
        if (tip.records !== witnessed.records) await this.saveHead();
      }
    }
    if (this.options.witness && (findings.length > 0 || !witnessed))
      await this.rewitness(findings, !witnessed && findings.length === 0);
  }

  /**
   * Takes the chain start from the witness when there is one: `anchor.json` is rewritten from it and
   * segments before it are unlinked (finishing a move a crash interrupted). Lock held.
   */
  private async reconcileAnchor(witnessed: AuditHead | undefined, findings: string[]): Promise<void> {
    const disk = await readAnchor(this.dir);
    if (witnessed && !diskMatches(disk, witnessed.anchor)) {
      // The witness is written before anchor.json: a disk anchor equal to the previous witnessed one
      // is a move interrupted by a crash; anything else was put there by someone else.
      if (!diskMatches(disk, witnessed.prevAnchor)) {
        findings.push(
          `anchor.json (first segment ${disk?.firstSegment ?? 1}) did not match the witnessed anchor (first segment ${witnessed.anchor.firstSegment})`,
        );
      }
      const stale = (await listSegments(this.dir)).filter((s) => s.number < witnessed.anchor.firstSegment);
      await this.moveAnchor(witnessed.anchor, disk?.reason === 'clear' ? 'clear' : 'retention', stale);
      return;
    }
    this.anchor = disk;
    // segments a crash left behind after their anchor moved (already outside the chain)
    if (witnessed)
      for (const s of await listSegments(this.dir))
        if (s.number < witnessed.anchor.firstSegment) await fsp.unlink(s.path).catch(() => undefined);
  }

  /** The chain end on disk (repairing a torn tail): active segment, its size, the last hash. */
  private async readTip(): Promise<void> {
    const segs = await listSegments(this.dir, this.anchor);
    const last = segs[segs.length - 1];
    this.active = last?.number ?? this.anchor?.firstSegment ?? 1;
    this.activeSize = last?.size ?? 0;
    this.lastHash = this.anchor?.prevHash ?? GENESIS_HASH;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i] as SegmentInfo;
      const head = await readSegmentHead(this.dir, seg, this.clock.now(), (r) =>
        this.report(r.kind, seg.name, r.message),
      );
      if (seg === last) this.activeSize = head.size;
      if (head.hash) {
        this.lastHash = head.hash;
        break;
      }
    }
  }

  /** The witnessed head, or undefined with the reason in `findings` (a new witness adds none). */
  private async loadHead(findings: string[]): Promise<AuditHead | typeof HEAD_UNAVAILABLE | undefined> {
    const witness = this.options.witness;
    if (!witness) return undefined;
    try {
      return await witnessedHead(witness, this.head, findings);
    } catch (err) {
      // secret storage or the head file is unreadable right now: keep auditing, say so, check later
      this.report(
        'witness_write_failed',
        '',
        `the audit head could not be read (${errnoCode(err)}); it is checked again with the next change`,
      );
      return this.head ?? HEAD_UNAVAILABLE;
    }
  }

  /**
   * Starts witnessing the log as it is on disk: after integrity findings (an `integrity` event per
   * finding, chained first so they stay in the log), or on first use (a `witness_started` event when
   * the log already held records that no head ever covered).
   */
  private async rewitness(findings: readonly string[], firstUse: boolean): Promise<void> {
    const segs = await listSegments(this.dir, this.anchor);
    const anchor = toWitnessed(this.anchor);
    const records = anchor.records + (await sumLines(segs));
    this.head = { v: 1, records, hash: this.lastHash, segment: this.active, end: this.activeSize, anchor };
    const now = this.clock.now();
    if (firstUse && records === 0) {
      await this.saveHead();
      return;
    }
    const drafts = firstUse
      ? [
          eventDraft(
            'witness_started',
            `witnessing of the audit head started at record #${records}; earlier records cannot be checked for removal`,
            { records },
            now,
          ),
        ]
      : findings.map((f) => eventDraft('integrity', f, { witnessedFrom: records }, now));
    for (const d of drafts)
      this.report(
        firstUse ? 'witness_started' : 'integrity_violation',
        segmentName(this.active),
        d.event?.detail ?? '',
      );
    await this.writeDrafts(drafts);
  }
}
