/**
 * Trigram postings for one audit segment's free-text haystack (see textHaystack.ts): which records
 * (segment-local ids, in append order) contain each 3-code-unit substring of their lower-cased text.
 * A substring query of 3+ code units can only match records that contain every one of its trigrams,
 * so the postings narrow a million-record search to a few candidates; the caller verifies each
 * candidate against the haystack, so results are exactly those of a case-insensitive `includes`.
 *
 * Keys fold a trigram into 21 bits: exact for ASCII, other code units are folded into 7 bits and may
 * collide — a collision only adds candidates, never loses one. Postings are built in one go from the
 * haystack (two counting passes over typed arrays, no per-trigram allocation). Each key holds either
 * a bitmap (common trigrams: at most one bit per record) or a plain id list, whichever is smaller.
 */
const KEY_BITS = 21;
const KEY_MASK = (1 << KEY_BITS) - 1;
const SEP = 1; // U+0001 joins record texts in the haystack

interface Scratch {
  count: Int32Array;
  last: Int32Array;
  fill: Int32Array;
}
/**
 * Scratch tables (3 × 8 MiB) reused by the builds of one seal; released after it (see releaseScratch).
 * A build holds them while it runs (a time-sliced build yields in between): a second build meanwhile
 * gets its own.
 */
let idleScratch: Scratch | undefined;

function takeScratch(): Scratch {
  const s = idleScratch ?? {
    count: new Int32Array(1 << KEY_BITS),
    last: new Int32Array(1 << KEY_BITS),
    fill: new Int32Array(1 << KEY_BITS),
  };
  idleScratch = undefined;
  return s;
}

/** Haystack characters per step of a build (~1-2 ms of work): a time-sliced build yields between steps. */
const SLICE_CHARS = 1 << 18;

/** Where a pass over the haystack stands between two slices. */
interface PassState {
  id: number;
  run: number;
  key: number;
}

function fold(c: number): number {
  return c < 128 ? c : (c ^ (c >>> 7) ^ (c >>> 14)) & 127;
}

/** Distinct trigram keys of `s` (empty when shorter than 3 code units). */
export function trigramKeys(s: string): number[] {
  const seen = new Set<number>();
  for (let i = 0; i + 2 < s.length; i++)
    seen.add((fold(s.charCodeAt(i)) << 14) | (fold(s.charCodeAt(i + 1)) << 7) | fold(s.charCodeAt(i + 2)));
  return [...seen];
}

/**
 * One pass over every trigram of every record in `hay` up to `end` (records are separated by U+0001;
 * a trigram never spans two records), each counted once per record. Without `fill`: counts per key
 * into `count` and collects first-seen keys into `seen`. With `fill`: writes ids into the postings.
 * One loop, no callbacks: this runs ~50 times per record while a million records are indexed.
 */
function pass(
  hay: string,
  from: number,
  to: number,
  st: PassState,
  count: Int32Array,
  last: Int32Array,
  seen: number[] | undefined,
  fill: Int32Array | undefined,
  bitmaps: Uint8Array,
  lists: Uint16Array | Int32Array,
): void {
  let { id, run, key } = st;
  for (let i = from; i < to; i++) {
    const c = hay.charCodeAt(i);
    if (c === SEP) {
      id++;
      run = 0;
      continue;
    }
    key = ((key << 7) | (c < 128 ? c : fold(c))) & KEY_MASK;
    if (++run < 3 || last[key] === id) continue;
    last[key] = id;
    if (fill === undefined) {
      if (count[key] === 0) seen?.push(key);
      count[key] = (count[key] as number) + 1;
      continue;
    }
    const f = fill[key] as number;
    if (f < 0) {
      const b = -f - 1 + (id >>> 3);
      bitmaps[b] = (bitmaps[b] as number) | (1 << (id & 7));
    } else {
      lists[f] = id;
      fill[key] = f + 1;
    }
  }
  st.id = id;
  st.run = run;
  st.key = key;
}

/** One pass over `hay[0, end)` in slices; yields after each slice. */
function* slicedPass(
  hay: string,
  end: number,
  count: Int32Array,
  last: Int32Array,
  seen: number[] | undefined,
  fill: Int32Array | undefined,
  bitmaps: Uint8Array,
  lists: Uint16Array | Int32Array,
): Generator<void, void> {
  last.fill(-1);
  const st: PassState = { id: 0, run: 0, key: 0 };
  for (let from = 0; from < end; from += SLICE_CHARS) {
    pass(hay, from, Math.min(end, from + SLICE_CHARS), st, count, last, seen, fill, bitmaps, lists);
    yield;
  }
}

export class TrigramPostings {
  private constructor(
    /** Records covered: local ids 0..n-1. */
    readonly n: number,
    private readonly keys: Int32Array,
    private readonly counts: Int32Array,
    /** Start of each key's bitmap (in `bitmaps`, bytes) or id list (in `lists`, elements). */
    private readonly offsets: Int32Array,
    private readonly isBitmap: Uint8Array,
    private readonly bitmaps: Uint8Array,
    private readonly lists: Uint16Array | Int32Array,
  ) {}

  static readonly EMPTY = new TrigramPostings(
    0,
    new Int32Array(0),
    new Int32Array(0),
    new Int32Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
    new Uint16Array(0),
  );

  /** Postings of the first `n` records of a haystack (`end` = where record n starts), in one go. */
  static build(hay: string, n: number, end: number): TrigramPostings {
    const steps = TrigramPostings.steps(hay, n, end);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * The same postings, built in slices that give the event loop back whenever `budgetMs` of work has
   * run (the extension host stays responsive while the first panel open indexes a million records).
   */
  static async buildSliced(hay: string, n: number, end: number, budgetMs: number): Promise<TrigramPostings> {
    const steps = TrigramPostings.steps(hay, n, end);
    let since = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() - since >= budgetMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
  }

  /** The build of {@link TrigramPostings.build}, one slice of work per step. */
  private static *steps(hay: string, n: number, end: number): Generator<void, TrigramPostings> {
    if (n === 0) return TrigramPostings.EMPTY;
    const scratch = takeScratch();
    const { count, last, fill } = scratch;
    const seen: number[] = [];
    yield* slicedPass(hay, end, count, last, seen, undefined, new Uint8Array(0), new Uint16Array(0));
    const keys = Int32Array.from(seen).sort();
    const width = n <= 0x10000 ? 2 : 4;
    const bitmapBytes = (n + 7) >>> 3;
    const counts = new Int32Array(keys.length);
    const offsets = new Int32Array(keys.length);
    const isBitmap = new Uint8Array(keys.length);
    let bitmapSize = 0;
    let listSize = 0;
    keys.forEach((k, j) => {
      const c = count[k] as number;
      counts[j] = c;
      isBitmap[j] = c * width > bitmapBytes ? 1 : 0;
      offsets[j] = isBitmap[j] ? bitmapSize : listSize;
      if (isBitmap[j]) bitmapSize += bitmapBytes;
      else listSize += c;
      // `fill` maps key -> where its next id goes (bitmaps: negative, 1-based offset of the bitmap)
      fill[k] = isBitmap[j] ? -(offsets[j] as number) - 1 : (offsets[j] as number);
      count[k] = 0; // leave the scratch zeroed for the next build
    });
    const bitmaps = new Uint8Array(bitmapSize);
    const lists = width === 2 ? new Uint16Array(listSize) : new Int32Array(listSize);
    yield* slicedPass(hay, end, count, last, undefined, fill, bitmaps, lists);
    idleScratch = scratch;
    return new TrigramPostings(n, keys, counts, offsets, isBitmap, bitmaps, lists);
  }

  /** Frees the build tables until the next build (call when a batch of builds is done). */
  static releaseScratch(): void {
    idleScratch = undefined;
  }

  /** Bytes held (all typed arrays). */
  memoryBytes(): number {
    return (
      this.keys.byteLength +
      this.counts.byteLength +
      this.offsets.byteLength +
      this.isBitmap.byteLength +
      this.bitmaps.byteLength +
      this.lists.byteLength
    );
  }

  /** Ascending local ids (< n) of records that may contain a text with these trigram keys (non-empty). */
  candidates(keys: readonly number[]): number[] {
    const found: { count: number; bitmap: boolean; offset: number }[] = [];
    for (const k of keys) {
      const j = binarySearch(this.keys, k);
      if (j < 0) return [];
      found.push({
        count: this.counts[j] as number,
        bitmap: this.isBitmap[j] === 1,
        offset: this.offsets[j] as number,
      });
    }
    found.sort((a, b) => a.count - b.count);
    const bitmapOffsets = found.filter((p) => p.bitmap).map((p) => p.offset);
    const bits = this.bitmaps;
    const inAllBitmaps = (id: number): boolean => {
      const byte = id >>> 3;
      const bit = 1 << (id & 7);
      for (const off of bitmapOffsets) if (((bits[off + byte] as number) & bit) === 0) return false;
      return true;
    };
    const lists = found.filter((p) => !p.bitmap);
    if (lists.length === 0) return this.bitmapAnd(bitmapOffsets);
    let ids: number[];
    const list = (p: { count: number; offset: number }): number[] =>
      Array.from(this.lists.subarray(p.offset, p.offset + p.count));
    ids = list(lists[0] as { count: number; offset: number }).filter(inAllBitmaps);
    for (let j = 1; j < lists.length && ids.length > 0; j++)
      ids = intersect(ids, list(lists[j] as { count: number; offset: number }));
    return ids;
  }

  /** Ids set in every one of these bitmaps (byte-wise AND: the path of needles most records contain). */
  private bitmapAnd(offsets: readonly number[]): number[] {
    const bytes = (this.n + 7) >>> 3;
    const bits = this.bitmaps;
    const first = offsets[0] as number;
    const acc = bits.slice(first, first + bytes);
    for (const off of offsets.slice(1))
      for (let b = 0; b < bytes; b++) acc[b] = (acc[b] as number) & (bits[off + b] as number);
    const ids: number[] = [];
    for (let b = 0; b < bytes; b++) {
      const v = acc[b] as number;
      if (v === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) ids.push((b << 3) | bit);
    }
    return ids;
  }
}

function binarySearch(xs: Int32Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = xs[mid] as number;
    if (v < x) lo = mid + 1;
    else if (v > x) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Sorted intersection of two ascending id lists. */
function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}
