/**
 * Free-text search support for the audit index: one lower-cased haystack string per segment (record
 * texts joined by U+0001) plus trigram postings per segment (see trigramIndex.ts). A needle of 3+
 * code units is looked up in the postings and only the candidate records are checked with a bounded
 * substring test, so the result is exactly a case-insensitive `includes` over each record's text;
 * shorter needles fall back to a native `indexOf` scan of the haystacks. A needle most records hold
 * is mostly answered from the postings' trigram positions, which prove a match without the text.
 */
import { bitCount, bitIds, HIGH, spelled } from './postingBits';
import { trigramKeys, TrigramPostings } from './trigramIndex';

const SEP = '\u0001';
/** Work between two yields to the event loop while postings are built (issue 9: no block over ~15 ms). */
const SEAL_SLICE_MS = 4;
/** Pending texts joined into one string at a time. */
const PENDING_BLOCK = 256;

interface SegmentHay {
  hay: string;
  /** Start offset of each record's text in `hay`. */
  starts: number[];
  /** Texts added since the last seal, not yet visible to search. */
  pending: string[];
  /** Earlier texts added since the last seal, joined (each followed by SEP) in blocks of {@link PENDING_BLOCK}. */
  blocks: string[];
  /** The length of every text added since the last seal (in `blocks` or `pending`), in order. */
  pendingLengths: number[];
  /** Postings of the first `tri.n` records; later ones (live appends) are scanned. */
  tri: TrigramPostings;
}

/** Argument text kept per record for free-text search (leaf values only: keys and JSON punctuation are noise). */
export const MAX_TEXT_CHARS = 384;

/** Leaf values (strings, numbers, booleans) of a JSON value, space-separated, up to `max` chars. */
export function argumentText(value: unknown, max: number): string {
  const parts: string[] = [];
  let len = 0;
  const walk = (v: unknown): void => {
    if (len >= max || v === null || v === undefined) return;
    if (typeof v === 'object') {
      for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) walk(x);
      return;
    }
    const text = String(v);
    parts.push(text);
    len += text.length + 1;
  };
  walk(value);
  const joined = parts.join(' ');
  return joined.length > max ? joined.slice(0, max) : joined;
}

export interface TextHaystackOptions {
  /** Unindexed records of the newest segment tolerated before its postings are (re)built (default 2048). */
  readonly maxTail?: number;
}

export class TextHaystack {
  private readonly segs = new Map<number, SegmentHay>();
  private readonly maxTail: number;

  constructor(options: TextHaystackOptions = {}) {
    this.maxTail = options.maxTail ?? 2048;
  }

  /** Adds the next record's text to a segment (visible to search after {@link seal}). */
  add(segNo: number, text: string): void {
    let s = this.segs.get(segNo);
    if (!s) {
      s = { hay: '', starts: [], pending: [], blocks: [], pendingLengths: [], tri: TrigramPostings.EMPTY };
      this.segs.set(segNo, s);
    }
    const t = text.toLowerCase().replaceAll(SEP, ' ');
    s.pending.push(t);
    s.pendingLengths.push(t.length);
    // joined as they come: a first build does not hold a segment's worth of small strings (the
    // collector traced them all) nor join them in one long turn at the seal
    if (s.pending.length === PENDING_BLOCK) {
      s.blocks.push(`${s.pending.join(SEP)}${SEP}`);
      s.pending = [];
    }
  }

  /**
   * Appends pending texts to their haystacks and (re)builds postings (time-sliced): every older segment is indexed
   * completely; the newest (growing) one once its unindexed tail exceeds both `maxTail` and the
   * indexed part, so rebuilding costs O(1) amortised per record. `keepScratch` keeps the build tables
   * for a following seal (the last seal of a batch releases them).
   */
  async seal(options: { keepScratch?: boolean } = {}): Promise<void> {
    const newest = Math.max(...this.segs.keys());
    const builds: [SegmentHay, number, number][] = [];
    // texts first, all at once: a search meanwhile sees every record (unindexed ones are scanned)
    for (const [segNo, s] of this.segs) {
      if (s.pendingLengths.length > 0) {
        let pos = s.hay.length;
        for (const length of s.pendingLengths) {
          s.starts.push(pos);
          pos += length + 1;
        }
        if (s.pending.length > 0) s.blocks.push(`${s.pending.join(SEP)}${SEP}`);
        s.hay += s.blocks.join('');
        s.pending = [];
        s.blocks = [];
        s.pendingLengths = [];
      }
      const tail = s.starts.length - s.tri.n;
      if (tail > 0 && (segNo !== newest || (tail > this.maxTail && tail > s.tri.n)))
        builds.push([s, s.starts.length, s.hay.length]);
    }
    // then the postings, in slices of at most SEAL_SLICE_MS (a 16 MiB segment takes ~100 ms in one go),
    // from a turn of their own: the texts above cost a few ms for a segment's worth of records
    if (builds.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const [s, n, end] of builds) s.tri = await TrigramPostings.buildSliced(s.hay, n, end, SEAL_SLICE_MS);
    // a first build seals segment after segment: 24 MiB of tables allocated (and paged in) for each
    // one also made the collector run for the external memory
    if (!options.keepScratch) TrigramPostings.releaseScratch();
  }

  drop(segNo: number): void {
    this.segs.delete(segNo);
  }

  clear(): void {
    this.segs.clear();
  }

  /** Approximate bytes held: haystack characters (one byte each when Latin-1) and offsets; postings, and the trigram positions they include. */
  memoryBytes(): { haystack: number; postings: number; positions: number } {
    let haystack = 0;
    let postings = 0;
    let positions = 0;
    for (const s of this.segs.values()) {
      haystack += s.hay.length + s.starts.length * 8;
      postings += s.tri.memoryBytes();
      positions += s.tri.positionBytes();
    }
    return { haystack, postings, positions };
  }

  /**
   * Marks records whose text contains `needle` (lower case). `order` lists the segments in index
   * order; record k of a segment is at global position (records before the segment) + k.
   */
  search(needle: string, order: readonly number[], hits: Uint8Array): void {
    const n = needle.replaceAll(SEP, ' ');
    if (!n) return;
    const keys = n.length >= 3 ? trigramKeys(n) : undefined;
    let base = 0;
    for (const segNo of order) {
      const s = this.segs.get(segNo);
      if (!s) continue;
      if (keys) {
        const found = s.tri.candidateSet(keys);
        const at = found instanceof Uint8Array ? s.tri.positions(n) : undefined;
        if (found instanceof Uint8Array && (at || bitCount(found) * 8 > s.starts.length))
          verifyBitmap(s, n, found, at, base, hits);
        else verifyCandidates(s, n, found instanceof Uint8Array ? bitIds(found) : found, base, hits);
        scanRecords(s, n, s.tri.n, base, hits);
      } else scanRecords(s, n, 0, base, hits);
      base += s.starts.length;
    }
  }
}

/**
 * Checks candidate records (ascending local ids). Few candidates: a substring test on each record's
 * slice (V8 slices share the haystack's characters; measured faster than a probe loop). Many (a needle most records
 * contain): one forward `indexOf` cursor — the next occurrence at or after a candidate's start is a
 * hit when it lies before the record's end (the needle has no separator, so it never spans records)
 * and is reused for the following candidates when it lies beyond.
 */
function verifyCandidates(s: SegmentHay, n: string, ids: readonly number[], base: number, hits: Uint8Array): void {
  const { hay, starts } = s;
  if (ids.length * 8 <= starts.length) {
    for (const k of ids)
      if (hay.slice(starts[k] as number, (starts[k + 1] ?? hay.length) - 1).includes(n)) hits[base + k] = 1;
    return;
  }
  let p = -1;
  for (const k of ids) {
    const start = starts[k] as number;
    if (p < start) {
      p = hay.indexOf(n, start);
      if (p === -1) return;
    }
    if (p < (starts[k + 1] ?? hay.length)) hits[base + k] = 1;
  }
}

/**
 * Checks the candidates of a needle most records contain (a bitmap over local ids). A record whose
 * trigram positions spell the needle (see {@link TrigramPostings.positions}) is a hit without reading
 * its text; the others are checked with the forward `indexOf` cursor of {@link verifyCandidates}.
 */
function verifyBitmap(
  s: SegmentHay,
  n: string,
  bits: Uint8Array,
  at: readonly Uint8Array[] | undefined,
  base: number,
  hits: Uint8Array,
): void {
  const { hay, starts } = s;
  const ok = at ? spelled(at) : undefined;
  const ok32 = ok ? new Uint32Array(ok.buffer, ok.byteOffset, ok.length >>> 2) : undefined;
  let p = -1;
  for (let b = 0; b < bits.length; b++) {
    let v = bits[b] as number;
    // eight candidate records, all proven (the common case of a needle every record holds)
    if (v === 0xff && ok32 !== undefined && ok32[2 * b] === HIGH && ok32[2 * b + 1] === HIGH) {
      for (let k = base + (b << 3), end = k + 8; k < end; k++) hits[k] = 1;
      continue;
    }
    for (; v !== 0; v &= v - 1) {
      const k = (b << 3) | (31 - Math.clz32(v & -v));
      if (ok !== undefined && ok[k] !== 0) {
        hits[base + k] = 1;
        continue;
      }
      const start = starts[k] as number;
      if (p < start) {
        p = hay.indexOf(n, start);
        if (p === -1) return;
      }
      if (p < (starts[k + 1] ?? hay.length)) hits[base + k] = 1;
    }
  }
}

/** Native scan of a segment haystack from record `from` on (unindexed records, or needles under 3 code units). */
function scanRecords(s: SegmentHay, n: string, from: number, base: number, hits: Uint8Array): void {
  const { hay, starts } = s;
  const at = starts[from];
  if (at === undefined) return;
  let p = hay.indexOf(n, at);
  while (p !== -1) {
    const k = upperBound(starts, p) - 1;
    hits[base + k] = 1;
    const next = starts[k + 1];
    if (next === undefined) break;
    p = hay.indexOf(n, next);
  }
}

/** First index whose value is greater than `x` (sorted ascending). */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
