/**
 * Verifies the audit hash chain: every line must be a record whose `hash` is SHA-256 over its
 * canonical JSON (see auditRecord.ts) and whose `prev` is the previous record's `hash` (the first
 * retained record links to the anchor). Editing a record breaks its own hash; deleting, inserting or
 * reordering records breaks a `prev` link.
 */
import { computeRecordHash, recordShapeProblem, type AuditRecord } from './auditRecord';
import { scanLines, type SegmentInfo } from './segmentFiles';

/** Where the chain first breaks, and why. */
export interface BrokenLink {
  readonly segment: string;
  /** 1-based line number in the segment. */
  readonly line: number;
  /** 1-based position of the record in the whole retained chain. */
  readonly record: number;
  readonly recordId?: string;
  readonly reason: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Records checked. */
  readonly records: number;
  readonly segments: number;
  readonly firstBroken?: BrokenLink;
  /** All problems found (bounded), the first one equals `firstBroken`. */
  readonly problems: readonly BrokenLink[];
}

const MAX_PROBLEMS = 100;

/** Parses one stored line; returns the record or why it is not one. */
export function parseRecordLine(text: string): { record: AuditRecord } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON (hand-edited or corrupted)' };
  }
  const shape = recordShapeProblem(value);
  if (shape) return { problem: shape };
  return { record: value as AuditRecord };
}

/** Walks the segments in order (each up to its snapshot size). */
export async function verifyChain(segments: readonly SegmentInfo[], anchorHash: string): Promise<VerifyResult> {
  const problems: BrokenLink[] = [];
  let expectedPrev: string | undefined = anchorHash;
  let records = 0;
  for (const seg of segments) {
    const end = await scanLines(seg.path, (l) => {
      records++;
      const parsed = parseRecordLine(l.text);
      const at = { segment: seg.name, line: l.line, record: records };
      if ('problem' in parsed) {
        if (problems.length < MAX_PROBLEMS) problems.push({ ...at, reason: parsed.problem });
        expectedPrev = undefined;
        return;
      }
      const r = parsed.record;
      let reason: string | undefined;
      if (computeRecordHash(r) !== r.hash) reason = 'record content does not match its hash (edited)';
      else if (expectedPrev !== undefined && r.prev !== expectedPrev) {
        reason = 'prev does not link to the previous record (a record was deleted, inserted or reordered)';
      }
      if (reason && problems.length < MAX_PROBLEMS) problems.push({ ...at, recordId: r.id, reason });
      expectedPrev = r.hash;
    }, { to: seg.size });
    if (end < seg.size && problems.length < MAX_PROBLEMS) {
      problems.push({ segment: seg.name, line: 0, record: records + 1, reason: 'incomplete last line' });
    }
  }
  return { ok: problems.length === 0, records, segments: segments.length, firstBroken: problems[0], problems };
}
