/**
 * Reading the end of the chain: a segment's last record (repairing a torn tail), and whether the
 * records on disk still contain the witnessed head (see auditWitness.ts) and only chain on from it.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { computeRecordHash, type AuditRecord } from './auditRecord';
import type { AuditHead } from './auditWitness';
import { parseRecordLine } from './chainVerifier';
import { FILE_MODE, QUARANTINE_FILE, readLastLines, readTail, scanLines, type SegmentInfo } from './segmentFiles';

/** A repair made while reading a tail (reported by the store). */
export interface TailRepair {
  readonly kind: 'torn_line_quarantined' | 'torn_line_completed' | 'unreadable_head';
  readonly message: string;
}

/** Where the chain on disk ends. */
export interface ChainTip {
  readonly records: number;
  readonly hash: string;
  readonly segment: number;
  readonly end: number;
}

/** A top-level hash field of a stored line, when the line is a JSON object carrying one. */
export function hashField(line: string, field: 'hash' | 'prev'): string | undefined {
  try {
    const v = (JSON.parse(line) as Record<string, unknown>)[field];
    return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The `prev` of a segment's first record. */
export async function firstPrev(seg: SegmentInfo): Promise<string | undefined> {
  let prev: string | undefined;
  await scanLines(
    seg.path,
    (l) => {
      if (prev === undefined) prev = hashField(l.text, 'prev') ?? '';
    },
    { to: Math.min(seg.size, 4 * 1024 * 1024) },
  );
  return prev || undefined;
}

/** Complete lines (records) in a segment. */
export async function countLines(seg: SegmentInfo): Promise<number> {
  let n = 0;
  await scanLines(
    seg.path,
    () => {
      n++;
    },
    { to: seg.size },
  );
  return n;
}

function completable(torn: Buffer, previousLine: string | undefined): boolean {
  try {
    const rec = JSON.parse(torn.toString('utf8')) as AuditRecord;
    if (computeRecordHash(rec) !== rec.hash) return false;
    if (previousLine === undefined) return true;
    return (JSON.parse(previousLine) as AuditRecord).hash === rec.prev;
  } catch {
    return false;
  }
}

/**
 * The hash of a segment's last record, repairing a torn tail first: a whole record that only lost
 * its newline is completed; anything else after the last newline moves to the quarantine file.
 */
export async function readSegmentHead(
  dir: string,
  seg: SegmentInfo,
  now: number,
  report: (r: TailRepair) => void,
): Promise<{ hash?: string; size: number }> {
  const tail = await readTail(seg.path, seg.size);
  let size = seg.size;
  let line = tail.lastLine?.text;
  if (tail.torn.length > 0) {
    if (completable(tail.torn, line)) {
      await fsp.appendFile(seg.path, '\n');
      size += 1;
      line = tail.torn.toString('utf8');
      report({
        kind: 'torn_line_completed',
        message: `the last record of ${seg.name} lacked its line end and was completed`,
      });
    } else {
      await quarantine(dir, seg, tail.tornOffset, tail.torn, now);
      size = tail.tornOffset;
      report({
        kind: 'torn_line_quarantined',
        message: `an incomplete last line of ${seg.name} (${tail.torn.length} bytes at offset ${tail.tornOffset}) was moved to ${QUARANTINE_FILE}`,
      });
    }
  }
  if (line === undefined) return { size };
  const hash = hashField(line, 'hash');
  if (!hash)
    report({
      kind: 'unreadable_head',
      message: `the last line of ${seg.name} is not a valid record; the chain continues after it`,
    });
  return { hash: hash ?? createHash('sha256').update(line).digest('hex'), size };
}

async function quarantine(dir: string, seg: SegmentInfo, offset: number, torn: Buffer, now: number): Promise<void> {
  const entry = {
    at: new Date(now).toISOString(),
    segment: seg.name,
    offset,
    length: torn.length,
    reason: 'torn last line (incomplete write, e.g. a crash mid-write)',
    text: torn.toString('utf8'),
  };
  const fh = await fsp.open(join(dir, QUARANTINE_FILE), 'a', FILE_MODE);
  try {
    await fh.write(`${JSON.stringify(entry)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await fsp.truncate(seg.path, offset);
}

/** Checks that the record ending at `head.end` in `head.segment` is the witnessed one. */
async function headRecordProblem(head: AuditHead, seg: SegmentInfo | undefined): Promise<string | undefined> {
  const at = `record #${head.records}`;
  if (!seg) return `the segment holding the witnessed head (${at}) is missing: records were removed`;
  if (seg.size < head.end) {
    return `${seg.name} ends at byte ${seg.size} but the witnessed head (${at}) ends at byte ${head.end}: the newest records were removed`;
  }
  const tail = await readTail(seg.path, head.end);
  const hash = tail.torn.length === 0 && tail.lastLine ? hashField(tail.lastLine.text, 'hash') : undefined;
  if (hash !== head.hash)
    return `${seg.name} no longer holds the witnessed head (${at}) at byte ${head.end}: the log was rewritten or re-hashed`;
  return undefined;
}

/**
 * Follows the chain from the witnessed head to the end of the log. Records after the head (a batch
 * written just before a crash, or by another process) are accepted only when each one is a valid
 * record chaining from the one before; returns the new tip, or why the log does not match the head.
 */
export async function followHead(
  head: AuditHead,
  segs: readonly SegmentInfo[],
): Promise<ChainTip | { problem: string }> {
  const headSeg = segs.find((s) => s.number === head.segment);
  if (head.records > head.anchor.records) {
    const problem = await headRecordProblem(head, headSeg);
    if (problem) return { problem };
  }
  let tip: ChainTip = { records: head.records, hash: head.hash, segment: head.segment, end: head.end };
  let problem: string | undefined;
  for (const seg of segs.filter((s) => s.number >= head.segment)) {
    const from = seg.number === head.segment ? head.end : 0;
    if (seg.size <= from || problem) continue;
    const end = await scanLines(
      seg.path,
      (l) => {
        if (problem) return;
        const parsed = parseRecordLine(l.text);
        const r = 'record' in parsed ? parsed.record : undefined;
        if (!r || computeRecordHash(r) !== r.hash || r.prev !== tip.hash) {
          problem = `the records after the witnessed head (record #${head.records}) do not chain from it (${seg.name}, byte ${l.offset})`;
          return;
        }
        tip = { records: tip.records + 1, hash: r.hash, segment: seg.number, end: l.offset + l.length + 1 };
      },
      { from, to: seg.size },
    );
    if (!problem && end < seg.size) problem = `${seg.name} ends with an incomplete line after the witnessed head`;
  }
  return problem ? { problem } : tip;
}

/**
 * The newest `count` records of the chain by id (a retried batch is checked against them, see
 * {@link AuditChain.writeBatch}): segments are read backwards from the tip, each only from its tail.
 * Lines that are not records (never the case in a verifying chain) are skipped.
 */
export async function recentRecords(segs: readonly SegmentInfo[], count: number): Promise<Map<string, AuditRecord>> {
  const found = new Map<string, AuditRecord>();
  let left = count;
  for (let i = segs.length - 1; i >= 0 && left > 0; i--) {
    const seg = segs[i] as SegmentInfo;
    const lines = await readLastLines(seg.path, seg.size, left);
    left -= lines.length;
    for (const line of lines) {
      const parsed = parseRecordLine(line);
      if ('record' in parsed) found.set(parsed.record.id, parsed.record);
    }
  }
  return found;
}
