/**
 * The audit chain as it is on disk, for {@link AuditStore}: where it ends (active segment, its size,
 * the last hash), where it starts (the anchor) and its witnessed head, and every operation that
 * changes them — writing a batch (one `write`, `fdatasync`, then the witnessed head), retention and
 * clear (an event chained first, then the anchor moves, then old segments go), re-reading the tip when
 * another process or a crash changed it (a torn last line is repaired, see chainTail.ts) and
 * re-witnessing after integrity findings. Every method runs with the store's cross-process lock held.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { McpSecureError } from '../errors';
import { systemClock, type Clock } from '../ports';
import { eventDraft, type AuditActor } from './auditEvents';
import {
  GENESIS_HASH,
  isCanonicalDraft,
  recordOf,
  sealCanonical,
  toCanonicalDraft,
  type AuditDraft,
  type AuditRecord,
  type CanonicalDraft,
  type SealedRecord,
} from './auditRecord';
import { diskMatches, planRetention, sumLines, toWitnessed } from './auditRetention';
import { fileIoFor, type FileIo } from './fileIo';
import type { AuditStoreOptions, SealedBatch, StoreReport } from './auditStore';
import { witnessedHead, type AuditHead, type WitnessedAnchor } from './auditWitness';
import { followHead, readSegmentHead, recentRecords } from './chainTail';
import type { Emitter } from '../common/event';
import {
  FILE_MODE,
  listSegments,
  readAnchor,
  segmentName,
  writeAnchor,
  type ChainAnchor,
  type SegmentInfo,
} from './segmentFiles';

/**
 * What the chain seals: a draft object (the CLI, tests, the store's own events), sealed together with
 * its record, or a draft in canonical form (the store's thread, see auditThread.ts), sealed to its
 * id, `prev` and `hash` only.
 */
export type SealInput = AuditDraft | CanonicalDraft;

const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/**
 * Records beyond a retried batch's own that are checked for its ids: other windows may have written
 * this many between the failed write and its retry (the records of a retry are never older).
 */
const RETRY_LOOKBACK = 1024;
/** Marks "the witness could not be read": no check and no re-witnessing this time. */
const HEAD_UNAVAILABLE = Symbol('head unavailable');

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

export class AuditChain {
  private anchor: ChainAnchor | undefined;
  private active = 0;
  private activeSize = 0;
  private lastHash = GENESIS_HASH;
  private head: AuditHead | undefined;
  private handle: { number: number; fh: FileHandle } | undefined;
  private readonly segmentMaxBytes: number;
  private readonly clock: Clock;
  private readonly io: FileIo;

  constructor(
    private readonly options: AuditStoreOptions,
    private readonly sealed: Emitter<SealedBatch>,
    private readonly reported: Emitter<StoreReport>,
  ) {
    this.segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES;
    this.clock = options.clock ?? systemClock;
    this.io = fileIoFor(options);
  }

  private get dir(): string {
    return this.options.dir;
  }

  /** Anchor, segments and witnessed head as on disk now (`force`: re-read everything). Lock held. */
  async snapshot(force: boolean): Promise<{ anchor?: ChainAnchor; segments: SegmentInfo[]; head?: AuditHead }> {
    await this.resync(force);
    return { anchor: this.anchor, segments: await listSegments(this.dir, this.anchor), head: this.head };
  }

  /** Chains the `clear` event, starts a new segment and removes the old ones. Lock held. */
  async clear(actor: AuditActor): Promise<void> {
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
  }

  /**
   * Writes one batch of tool-call records (after a retention event when a new segment starts), in the
   * drafts' order. A `retry` batch (drafts handed over again after a failure, e.g. a thread that died
   * after writing them but before replying) is first checked against the newest records of the chain,
   * re-read from disk under the lock: a draft whose id is already there is not written again and its
   * stored record is returned instead, so every call is recorded exactly once.
   */
  async writeBatch(drafts: readonly SealInput[], retry = false): Promise<SealedRecord[]> {
    // a head that could not be read before is read again before each batch until it can
    await this.resync(this.options.witness !== undefined && this.head === undefined);
    const present = retry ? await this.recentRecords(drafts.length) : undefined;
    const fresh = present ? drafts.filter((d) => !present.has(d.id)) : drafts;
    const written = fresh.length > 0 ? await this.writeFresh(fresh) : [];
    let next = 0;
    return drafts.map((d) => {
      const found = present?.get(d.id);
      return found
        ? { id: found.id, prev: found.prev, hash: found.hash, record: found }
        : (written[next++] as SealedRecord);
    });
  }

  /**
   * The newest records of the chain by id: as many as a retried batch holds plus
   * {@link RETRY_LOOKBACK}, for what other windows wrote between the failure and the retry. Lock held.
   */
  private async recentRecords(retried: number): Promise<Map<string, AuditRecord>> {
    return recentRecords(await listSegments(this.dir, this.anchor), retried + RETRY_LOOKBACK);
  }

  private async writeFresh(drafts: readonly SealInput[]): Promise<SealedRecord[]> {
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
  private async writeDrafts(drafts: readonly SealInput[], nextAnchor?: WitnessedAnchor): Promise<SealedRecord[]> {
    let prev = this.lastHash;
    const records: SealedRecord[] = [];
    let text = '';
    for (const d of drafts) {
      const canonical = isCanonicalDraft(d);
      const { hash, line } = sealCanonical(canonical ? d : toCanonicalDraft(d), prev);
      records.push(canonical ? { id: d.id, prev, hash } : { id: d.id, prev, hash, record: recordOf(d, prev, hash) });
      prev = hash;
      text += `${line}\n`;
    }
    const data = Buffer.from(text, 'utf8');
    const fh = await this.openActive();
    const before = this.activeSize;
    try {
      await this.io.appendDurably(fh, data, this.options.durable !== false);
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
    this.sealed.fire({ records, segment: segmentName(this.active) });
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

  async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.fh.close().catch(() => undefined);
  }

  private report(kind: StoreReport['kind'], segment: string, message: string): void {
    this.reported.fire({ kind, segment, message });
  }

  /** Re-reads the chain head from disk when another process (or a crash) changed it. Lock held. */
  async resync(force: boolean): Promise<void> {
    if (!force && this.active > 0) {
      const [cur, next] = await Promise.all([
        this.io.statOrUndefined(join(this.dir, segmentName(this.active))),
        this.io.statOrUndefined(join(this.dir, segmentName(this.active + 1))),
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
