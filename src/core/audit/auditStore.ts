/**
 * The durable, append-only, hash-chained audit store (one directory, usually the extension's
 * globalStorage). Design decisions:
 * - Segments of canonical JSONL; each record's `prev` is the previous record's `hash`, across segments.
 * - One write queue per process: appends are batched; a batch is sealed, written with a single
 *   `write()` on an `O_APPEND` descriptor and `fdatasync`ed before its promises resolve.
 * - Cross-process safety (two editor windows): every batch is written while holding a lock file
 *   (see fileLock.ts) and after re-syncing the chain head from disk, so records from two processes
 *   interleave whole and the chain stays linear.
 * - A torn last line (crash mid-write) is detected under the lock, moved to `quarantine.jsonl` and
 *   reported; a complete record that only lost its newline is completed instead.
 * - Retention removes whole old segments and first records a retained-chain anchor (`anchor.json`).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { McpSecureError } from '../errors';
import { systemClock, type Clock } from '../ports';
import { computeRecordHash, GENESIS_HASH, sealRecordLine, type AuditDraft, type AuditRecord } from './auditRecord';
import { verifyChain, type VerifyResult } from './chainVerifier';
import { Emitter } from './emitter';
import { acquireFileLock, type FileLockOptions } from './fileLock';
import {
  listSegments, LOCK_FILE, QUARANTINE_FILE, readAnchor, readTail, scanLines, segmentName, writeAnchor,
  type ChainAnchor, type SegmentInfo,
} from './segmentFiles';

export interface RetentionPolicy {
  /** Keep at most this many bytes of segments (the active segment is always kept). */
  readonly maxBytes?: number;
  /** Remove segments whose last write is older than this. */
  readonly maxAgeMs?: number;
}

export interface AuditStoreOptions {
  readonly dir: string;
  /** Rotate to a new segment once the active one reaches this size (default 16 MiB). */
  readonly segmentMaxBytes?: number;
  readonly retention?: RetentionPolicy;
  /** fdatasync every batch (default true). */
  readonly durable?: boolean;
  /** Records per write (default 512). */
  readonly maxBatch?: number;
  readonly lock?: FileLockOptions;
  readonly clock?: Clock;
}

/** Something the store repaired or removed, reported to the user (never silent). */
export interface StoreReport {
  readonly kind: 'torn_line_quarantined' | 'torn_line_completed' | 'segment_removed' | 'unreadable_head';
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

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

export class AuditStore {
  private readonly pending: Pending[] = [];
  private queue: Promise<void> = Promise.resolve();
  private anchor: ChainAnchor | undefined;
  private active = 0;
  private activeSize = 0;
  private lastHash = GENESIS_HASH;
  private handle: { number: number; fh: FileHandle } | undefined;
  private readonly appended = new Emitter<AppendedBatch>();
  private readonly reported = new Emitter<StoreReport>();
  private readonly segmentMaxBytes: number;
  private readonly clock: Clock;
  /** Repairs made while opening. */
  readonly recovery: StoreReport[] = [];
  /** Fires after each durable batch (live UI, forwarder, index refresh). */
  readonly onDidAppend = this.appended.event;
  /** Fires on every repair or removal (torn lines, retention). */
  readonly onDidReport = this.reported.event;

  private constructor(readonly options: AuditStoreOptions) {
    this.segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES;
    this.clock = options.clock ?? systemClock;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Opens (creating the directory) and repairs a torn tail; throws `audit_write_failed` when unusable. */
  static async open(options: AuditStoreOptions): Promise<AuditStore> {
    try {
      await fsp.mkdir(options.dir, { recursive: true });
    } catch (err) {
      throw new McpSecureError('audit_write_failed', `cannot create the audit folder (${errnoCode(err)})`, { cause: err });
    }
    const store = new AuditStore(options);
    await removeLockLitter(options.dir);
    const sub = store.onDidReport((r) => store.recovery.push(r));
    try {
      await store.exclusive(() => store.locked(() => store.resync(true)));
    } finally {
      sub.dispose();
    }
    return store;
  }

  /** Queues a record; resolves once it is sealed, written and synced. */
  append(draft: AuditDraft): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ draft, resolve, reject });
      if (this.pending.length === 1) this.queue = this.queue.then(() => this.drain());
    });
  }

  /** Resolves when everything queued so far has been written (or failed). */
  flush(): Promise<void> {
    return this.exclusive(async () => undefined);
  }

  /** Anchor and segments as they are on disk now (consistent: taken under the lock). */
  snapshot(): Promise<{ anchor?: ChainAnchor; segments: SegmentInfo[] }> {
    return this.exclusive(() =>
      this.locked(async () => {
        await this.resync(false);
        return { anchor: this.anchor, segments: await listSegments(this.dir, this.anchor) };
      }),
    );
  }

  /** Verifies the whole retained chain; reports the first broken link. */
  async verify(): Promise<VerifyResult> {
    const snap = await this.snapshot();
    return verifyChain(snap.segments, snap.anchor?.prevHash ?? GENESIS_HASH);
  }

  /** Removes every segment; the chain continues (an anchor records the head it continues from). */
  clear(): Promise<void> {
    return this.exclusive(() =>
      this.locked(async () => {
        await this.resync(false);
        await this.closeHandle();
        const next = this.active + 1;
        await writeAnchor(this.dir, { firstSegment: next, prevHash: this.lastHash, reason: 'clear', at: new Date(this.clock.now()).toISOString() });
        for (const seg of await listSegments(this.dir)) await fsp.unlink(seg.path).catch(() => undefined);
        this.anchor = await readAnchor(this.dir);
        this.active = next;
        this.activeSize = 0;
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
    const run = this.queue.then(fn);
    this.queue = run.then(() => undefined, () => undefined);
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
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch ?? 512);
      try {
        const records = await this.locked(() => this.writeBatch(batch.map((p) => p.draft)));
        batch.forEach((p, i) => p.resolve(records[i] as AuditRecord));
        this.appended.fire({ records, segment: segmentName(this.active) });
      } catch (err) {
        const e = err instanceof McpSecureError ? err : new McpSecureError('audit_write_failed', `cannot write the audit log (${errnoCode(err)})`, { cause: err });
        for (const p of batch) p.reject(e);
      }
    }
  }

  private async writeBatch(drafts: AuditDraft[]): Promise<AuditRecord[]> {
    await this.resync(false);
    if (this.activeSize >= this.segmentMaxBytes) {
      await this.closeHandle();
      this.active += 1;
      this.activeSize = 0;
    }
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
    if (before === 0) await this.applyRetention();
    return records;
  }

  private async openActive(): Promise<FileHandle> {
    if (this.handle?.number === this.active) return this.handle.fh;
    await this.closeHandle();
    try {
      const fh = await fsp.open(join(this.dir, segmentName(this.active)), 'a');
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
    this.anchor = await readAnchor(this.dir);
    const segs = await listSegments(this.dir, this.anchor);
    const last = segs[segs.length - 1];
    this.active = last?.number ?? this.anchor?.firstSegment ?? 1;
    this.activeSize = last?.size ?? 0;
    this.lastHash = this.anchor?.prevHash ?? GENESIS_HASH;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i] as SegmentInfo;
      const head = await this.readHead(seg);
      if (seg === last) this.activeSize = head.size;
      if (head.hash) {
        this.lastHash = head.hash;
        break;
      }
    }
  }

  /** The hash of a segment's last record, repairing a torn tail first. */
  private async readHead(seg: SegmentInfo): Promise<{ hash?: string; size: number }> {
    const tail = await readTail(seg.path, seg.size);
    let size = seg.size;
    let line = tail.lastLine?.text;
    if (tail.torn.length > 0) {
      const completed = this.completable(tail.torn, line);
      if (completed) {
        await fsp.appendFile(seg.path, '\n');
        size += 1;
        line = tail.torn.toString('utf8');
        this.reported.fire({ kind: 'torn_line_completed', segment: seg.name, message: `the last record of ${seg.name} lacked its line end and was completed` });
      } else {
        await this.quarantine(seg, tail.tornOffset, tail.torn);
        size = tail.tornOffset;
      }
    }
    if (line === undefined) return { size };
    const hash = hashField(line, 'hash');
    if (!hash) this.reported.fire({ kind: 'unreadable_head', segment: seg.name, message: `the last line of ${seg.name} is not a valid record; the chain continues after it` });
    return { hash: hash ?? createHash('sha256').update(line).digest('hex'), size };
  }

  private completable(torn: Buffer, previousLine: string | undefined): boolean {
    try {
      const rec = JSON.parse(torn.toString('utf8')) as AuditRecord;
      if (computeRecordHash(rec) !== rec.hash) return false;
      if (previousLine === undefined) return true;
      return (JSON.parse(previousLine) as AuditRecord).hash === rec.prev;
    } catch {
      return false;
    }
  }

  private async quarantine(seg: SegmentInfo, offset: number, torn: Buffer): Promise<void> {
    const entry = {
      at: new Date(this.clock.now()).toISOString(),
      segment: seg.name,
      offset,
      length: torn.length,
      reason: 'torn last line (incomplete write, e.g. a crash mid-write)',
      text: torn.toString('utf8'),
    };
    const fh = await fsp.open(join(this.dir, QUARANTINE_FILE), 'a');
    try {
      await fh.write(`${JSON.stringify(entry)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fsp.truncate(seg.path, offset);
    this.reported.fire({
      kind: 'torn_line_quarantined',
      segment: seg.name,
      message: `an incomplete last line of ${seg.name} (${torn.length} bytes at offset ${offset}) was moved to ${QUARANTINE_FILE}`,
    });
  }

  /** Drops whole old segments beyond the policy, anchoring the chain first. Lock held. */
  private async applyRetention(): Promise<void> {
    const { maxBytes, maxAgeMs } = this.options.retention ?? {};
    if (maxBytes === undefined && maxAgeMs === undefined) return;
    const segs = await listSegments(this.dir, this.anchor);
    let total = segs.reduce((n, s) => n + s.size, 0);
    const now = this.clock.now();
    while (segs.length > 1) {
      const oldest = segs[0] as SegmentInfo;
      const tooBig = maxBytes !== undefined && total > maxBytes;
      const tooOld = maxAgeMs !== undefined && now - oldest.mtimeMs > maxAgeMs;
      if (!tooBig && !tooOld) break;
      const next = segs[1] as SegmentInfo;
      const prevHash = await firstPrev(next);
      if (prevHash === undefined) break;
      this.anchor = { firstSegment: next.number, prevHash, reason: 'retention', at: new Date(now).toISOString() };
      await writeAnchor(this.dir, this.anchor);
      await fsp.unlink(oldest.path).catch(() => undefined);
      total -= oldest.size;
      segs.shift();
      this.reported.fire({ kind: 'segment_removed', segment: oldest.name, message: `retention removed ${oldest.name}` });
    }
  }
}

/** The `prev` of a segment's first record. */
async function firstPrev(seg: SegmentInfo): Promise<string | undefined> {
  let prev: string | undefined;
  await scanLines(seg.path, (l) => {
    if (prev === undefined) prev = hashField(l.text, 'prev') ?? '';
  }, { to: Math.min(seg.size, 4 * 1024 * 1024) });
  return prev || undefined;
}

/** Removes temp files of lock attempts by processes killed mid-acquire (older than a minute). */
async function removeLockLitter(dir: string): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(`${LOCK_FILE}.`) && (n.endsWith('.tmp') || n.includes('.stale-')))) {
    const st = await fsp.stat(join(dir, name)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 60_000) await fsp.unlink(join(dir, name)).catch(() => undefined);
  }
}

/** A top-level hash field of a stored line, when the line is a JSON object carrying one. */
function hashField(line: string, field: 'hash' | 'prev'): string | undefined {
  try {
    const v = (JSON.parse(line) as Record<string, unknown>)[field];
    return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
