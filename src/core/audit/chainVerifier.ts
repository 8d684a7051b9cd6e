/**
 * Verifies the audit hash chain: every line must be a record whose `hash` is SHA-256 over its
 * canonical JSON (see auditRecord.ts) and whose `prev` is the previous record's `hash` (the first
 * retained record links to the anchor). Editing a record breaks its own hash; deleting, inserting or
 * reordering records breaks a `prev` link. With the witnessed head (auditWitness.ts), the record at
 * the head's position must carry the head's hash (a re-hashed or replaced log fails) and the log must
 * reach it (removed newest records fail); an `integrity` event in the chain fails verification too.
 */
import { isIntegrityEvent } from './auditEvents';
import { computeRecordHash, recordShapeProblem, type AuditRecord } from './auditRecord';
import type { AuditHead } from './auditWitness';
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
  /** The witnessed head the log was checked against (record number), when there is one. */
  readonly witnessedHead?: number;
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

export interface VerifyOptions {
  /** The witnessed head to check the log against. */
  readonly head?: AuditHead;
  /** Records of the chain before the first retained one (the anchor's count). */
  readonly firstRecord?: number;
}

/** Walks the segments in order (each up to its snapshot size). */
export async function verifyChain(
  segments: readonly SegmentInfo[],
  anchorHash: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const problems: BrokenLink[] = [];
  const { head, firstRecord = 0 } = options;
  let expectedPrev: string | undefined = anchorHash;
  let records = 0;
  for (const seg of segments) {
    const end = await scanLines(
      seg.path,
      (l) => {
        records++;
        const parsed = parseRecordLine(l.text);
        const at = { segment: seg.name, line: l.line, record: firstRecord + records };
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
        } else if (head && at.record === head.records && r.hash !== head.hash) {
          reason =
            'the record at the witnessed head does not carry the witnessed hash (the log was rewritten or re-hashed)';
        } else if (isIntegrityEvent(r)) {
          reason = `integrity check failed at ${r.time}: ${r.event?.detail ?? 'the log did not match its witnessed head'}`;
        }
        if (reason && problems.length < MAX_PROBLEMS) problems.push({ ...at, recordId: r.id, reason });
        expectedPrev = r.hash;
      },
      { to: seg.size },
    );
    if (end < seg.size && problems.length < MAX_PROBLEMS) {
      problems.push({ segment: seg.name, line: 0, record: firstRecord + records + 1, reason: 'incomplete last line' });
    }
  }
  if (head && firstRecord + records < head.records && problems.length < MAX_PROBLEMS) {
    const missing = head.records - firstRecord - records;
    problems.push({
      segment: segments[segments.length - 1]?.name ?? '',
      line: 0,
      record: firstRecord + records + 1,
      reason: `the log ends ${missing} record(s) before its witnessed head (record #${head.records}): the newest records were removed`,
    });
  }
  return {
    ok: problems.length === 0,
    records,
    segments: segments.length,
    firstBroken: problems[0],
    problems,
    witnessedHead: head?.records,
  };
}
