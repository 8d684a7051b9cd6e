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
import { join } from 'node:path';
import { McpSecureError } from '../errors';
import type { Clock } from '../ports';
import { AuditChain, type SealInput } from './auditChain';
import type { AuditActor } from './auditEvents';
import { GENESIS_HASH, type AuditDraft, type AuditRecord, type CanonicalDraft, type SealedRecord } from './auditRecord';
import { removeLockLitter, type RetentionPolicy } from './auditRetention';
import type { AuditHead, AuditWitness } from './auditWitness';
import type { AppendOptions, AppendOutcome, AuditWriter } from './auditWriter';
import { verifyChain, type VerifyResult } from './chainVerifier';
import { Emitter } from '../common/event';
import { fileIoFor } from './fileIo';
import { acquireFileLock, type FileLockOptions } from './fileLock';
import { ensurePrivateDir, LOCK_FILE, type ChainAnchor, type SegmentInfo } from './segmentFiles';

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
  /**
   * Make the batch's file-system calls synchronously (see fileIo.ts): only for a store that has a
   * thread of its own (auditThread.ts), never on an event loop that serves anything else.
   */
  readonly blockingIo?: boolean;
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

/** A durable batch as sealed: every record's id, `prev` and `hash` (see {@link SealedRecord}). */
export interface SealedBatch {
  readonly records: readonly SealedRecord[];
  readonly segment: string;
}

interface Pending {
  draft: SealInput;
  /** Handed over again after a failure: checked against the chain before it is written. */
  retry: boolean;
  resolve(sealed: SealedRecord): void;
  reject(err: unknown): void;
}

/**
 * Group-commit delay of the editor's audit store (see the file comment): measured with
 * `npm run bench:calls`, it turns one batch per back-to-back tool call into one per ~10 calls.
 */
export const GROUP_COMMIT_MS = 25;

/**
 * Group-commit delay of the editor's audit store while calls arrive faster than {@link BUSY_CALLS_PER_S}
 * (auditStoreThread.ts). A batch costs ~0.9 ms of CPU whatever its size (lock, two fdatasync, the
 * witnessed head, the thread's wake-up; `npm run bench:calls`); at a sustained ~1,000 calls/s, one per
 * 25 ms was ~40 µs of every call, one per 100 ms is ~10.
 */
export const BUSY_GROUP_COMMIT_MS = 100;

/** Calls per second above which the wider group-commit window applies (a human-driven agent makes a few). */
export const BUSY_CALLS_PER_S = 500;

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
  private readonly sealed = new Emitter<SealedBatch>();
  private readonly appended = new Emitter<AppendedBatch>();
  private readonly reported = new Emitter<StoreReport>();
  /** The chain on disk (its tip, head and anchor); every use holds the cross-process lock. */
  private readonly chain: AuditChain;
  private readonly lockOptions: FileLockOptions;
  /** Repairs made while opening. */
  readonly recovery: StoreReport[] = [];
  /**
   * Fires after each durable batch (live UI, forwarder, index refresh) with the records appended as
   * objects and the events the store chained itself; records appended in canonical form
   * ({@link appendCanonical}) are on {@link onDidSeal} only.
   */
  readonly onDidAppend = this.appended.event;
  /** Fires after each durable batch with every record's id, `prev` and `hash`. */
  readonly onDidSeal = this.sealed.event;
  /** Fires on every repair, removal or integrity finding. */
  readonly onDidReport = this.reported.event;

  private constructor(readonly options: AuditStoreOptions) {
    this.chain = new AuditChain(options, this.sealed, this.reported);
    this.sealed.event((batch) => {
      const records = batch.records.flatMap((s) => (s.record ? [s.record] : []));
      if (records.length > 0) this.appended.fire({ records, segment: batch.segment });
    });
    this.lockOptions = { ...options.lock, io: fileIoFor(options) };
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
    await this.locked(() => this.chain.resync(true));
  }

  /**
   * Queues a record; resolves once it is sealed, written and synced (with `retry`, or once found
   * already in the chain: see {@link AppendOptions.retry}).
   */
  async append(draft: AuditDraft, options: AppendOptions = {}): Promise<AuditRecord> {
    // a draft appended as an object is sealed with its record (or found on disk whole)
    return (await this.enqueue(draft, options.retry === true)).record as AuditRecord;
  }

  /** {@link AuditWriter.appendAll}: each draft is written whole or comes back in `failed`. */
  async appendAll(drafts: readonly AuditDraft[], options: AppendOptions = {}): Promise<AppendOutcome> {
    const outcome = await this.enqueueAll(drafts, options.retry === true);
    const failed = outcome.failed.map((i) => drafts[i] as AuditDraft);
    return outcome.error ? { failed, error: outcome.error } : { failed };
  }

  /**
   * Appends drafts the caller put in canonical form (the store's thread, for the host): like
   * {@link appendAll}, answering the indices of the drafts not written; their records are seen on
   * {@link onDidSeal}.
   */
  appendCanonical(
    drafts: readonly CanonicalDraft[],
    options: AppendOptions = {},
  ): Promise<{ failed: number[]; error?: McpSecureError }> {
    return this.enqueueAll(drafts, options.retry === true);
  }

  /** Queues every draft; answers the indices of those not written and the first error. */
  private async enqueueAll(
    drafts: readonly SealInput[],
    retry: boolean,
  ): Promise<{ failed: number[]; error?: McpSecureError }> {
    const settled = await Promise.allSettled(drafts.map((d) => this.enqueue(d, retry)));
    const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    return rejected ? { failed, error: asWriteError(rejected.reason) } : { failed };
  }

  private enqueue(draft: SealInput, retry: boolean): Promise<SealedRecord> {
    return new Promise<SealedRecord>((resolve, reject) => {
      this.pending.push({ draft, retry, resolve, reject });
      const delay = this.options.commitDelayMs ?? 0;
      if (this.pending.length === 1 && delay > 0) this.commitTimer = setTimeout(() => this.commit(), delay);
      else if (
        this.pending.length === 1 ||
        (this.commitTimer && this.pending.length === (this.options.maxBatch ?? 512))
      )
        this.commit();
    });
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
    return this.exclusive(() => this.locked(() => this.chain.snapshot(false)));
  }

  /**
   * Verifies the whole retained chain: every link, the witnessed head (its record count and hash),
   * and no `integrity` event. Re-reads everything from disk first (under the lock).
   */
  async verify(): Promise<VerifyResult> {
    const snap = await this.exclusive(() => this.locked(() => this.chain.snapshot(true)));
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
    return this.exclusive(() => this.locked(() => this.chain.clear(actor)));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.chain.closeHandle();
    this.sealed.dispose();
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
    const release = await acquireFileLock(join(this.dir, LOCK_FILE), this.lockOptions);
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
        const retry = batch.some((p) => p.retry);
        const records = await this.locked(() =>
          this.chain.writeBatch(
            batch.map((p) => p.draft),
            retry,
          ),
        );
        batch.forEach((p, i) => p.resolve(records[i] as SealedRecord));
      } catch (err) {
        const e = asWriteError(err);
        for (const p of batch) p.reject(e);
      }
    }
  }
}
