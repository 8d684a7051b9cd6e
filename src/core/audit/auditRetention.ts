/**
 * Retention and the small helpers the store shares with it: which old segments go (by size and age),
 * counting records, anchors as witnessed, and cleaning up after killed lock attempts.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { eventDraft } from './auditEvents';
import { GENESIS_HASH, type AuditDraft } from './auditRecord';
import { sameAnchor, type WitnessedAnchor } from './auditWitness';
import { countLines, firstPrev } from './chainTail';
import { listSegments, LOCK_FILE, type ChainAnchor, type SegmentInfo } from './segmentFiles';

export interface RetentionPolicy {
  /** Keep at most this many bytes of segments (the active segment is always kept). */
  readonly maxBytes?: number;
  /** Remove segments whose last write is older than this. */
  readonly maxAgeMs?: number;
}

/** What a retention run removes, and the chain start and event that record it. */
export interface RetentionPlan {
  readonly draft: AuditDraft;
  readonly anchor: WitnessedAnchor;
  readonly removed: SegmentInfo[];
}

/** An `anchor.json` (or none: the genesis) as a witnessed anchor. */
export function toWitnessed(a: ChainAnchor | undefined): WitnessedAnchor {
  return { firstSegment: a?.firstSegment ?? 1, prevHash: a?.prevHash ?? GENESIS_HASH, records: a?.records ?? 0 };
}

/** `anchor.json` as written for a witnessed anchor (none for the genesis anchor). */
export function diskMatches(disk: ChainAnchor | undefined, w: WitnessedAnchor | undefined): boolean {
  if (!w) return false;
  if (!disk) return w.records === 0 && w.prevHash === GENESIS_HASH && w.firstSegment === 1;
  return (
    sameAnchor(toWitnessed(disk), w) ||
    (disk.records === undefined && disk.firstSegment === w.firstSegment && disk.prevHash === w.prevHash)
  );
}

/**
 * Chooses whole old segments to drop before a new segment (`active`) starts, the anchor the chain
 * will start from, and the `retention` event to chain first in that segment.
 */
export async function planRetention(at: {
  dir: string;
  anchor: ChainAnchor | undefined;
  active: number;
  lastHash: string;
  policy: RetentionPolicy | undefined;
  now: number;
}): Promise<RetentionPlan | undefined> {
  const { maxBytes, maxAgeMs } = at.policy ?? {};
  if (maxBytes === undefined && maxAgeMs === undefined) return undefined;
  const segs = (await listSegments(at.dir, at.anchor)).filter((s) => s.number < at.active);
  let total = segs.reduce((n, s) => n + s.size, 0);
  const now = at.now;
  const removed: SegmentInfo[] = [];
  let prevHash = at.lastHash;
  while (segs.length > 0) {
    const oldest = segs[0] as SegmentInfo;
    const tooBig = maxBytes !== undefined && total > maxBytes;
    const tooOld = maxAgeMs !== undefined && now - oldest.mtimeMs > maxAgeMs;
    if (!tooBig && !tooOld) break;
    const next = segs[1];
    const nextPrev = next ? await firstPrev(next) : at.lastHash;
    if (nextPrev === undefined) break;
    prevHash = nextPrev;
    removed.push(oldest);
    total -= oldest.size;
    segs.shift();
  }
  if (removed.length === 0) return undefined;
  const count = await sumLines(removed);
  const anchor: WitnessedAnchor = {
    firstSegment: segs[0]?.number ?? at.active,
    prevHash,
    records: toWitnessed(at.anchor).records + count,
  };
  const detail = `retention removed ${count} record(s) in ${removed.length} segment(s)`;
  const draft = eventDraft(
    'retention',
    detail,
    { removedRecords: count, removedSegments: removed.map((s) => s.name), maxBytes, maxAgeMs },
    now,
  );
  return { draft, anchor, removed };
}

/** Records (complete lines) in the segments. */
export async function sumLines(segs: readonly SegmentInfo[]): Promise<number> {
  let n = 0;
  for (const s of segs) n += await countLines(s);
  return n;
}

/** Removes temp files of lock attempts by processes killed mid-acquire (older than a minute). */
export async function removeLockLitter(dir: string): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter(
    (n) => n.startsWith(`${LOCK_FILE}.`) && (n.endsWith('.tmp') || n.includes('.stale-')),
  )) {
    const st = await fsp.stat(join(dir, name)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 60_000) await fsp.unlink(join(dir, name)).catch(() => undefined);
  }
}
