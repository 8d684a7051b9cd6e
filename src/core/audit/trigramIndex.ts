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
 *
 * Trigrams most records contain (at most {@link MAX_POSITION_KEYS} per segment) also keep, per record, where
 * their first occurrence starts in the record (one byte; {@link NO_POSITION} when beyond 127, absent, or
 * the trigram holds a non-ASCII code unit, whose key may collide). When every trigram of an ASCII needle
 * starts exactly one code unit after the previous one, those code units spell the needle: the record is
 * proven to match without reading its text (see {@link TrigramPostings.positions}). A needle that matches
 * every record is then answered from these bytes instead of a million substring searches.
 */
import { binarySearch, bitIds, bitmapStride, intersect } from './postingBits';

const KEY_BITS = 21;
const KEY_MASK = (1 << KEY_BITS) - 1;
const SEP = 1; // U+0001 joins record texts in the haystack
/** Position byte meaning "not known": the record is verified against its text instead. */
export const NO_POSITION = 255;
/**
 * Positions kept: below 128, so that a position plus an offset inside a needle of at most 128 code units
 * never reaches 256 (searches compare the bytes of four records at a time, modulo 256).
 */
export const MAX_POSITION = 128;
/** At most this many trigrams per segment keep first-occurrence positions (one byte per record each). */
export const MAX_POSITION_KEYS = 48;

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

/** Haystack characters per step of a build (~1 ms of work): a time-sliced build yields between steps. */
const SLICE_CHARS = 1 << 16;

/** Where a pass over the haystack stands between two slices. */
interface PassState {
  id: number;
  run: number;
  key: number;
  /** 1-based index (in the record) of the last non-ASCII code unit read, 0 when none. */
  wide: number;
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
 * into `count` and collects first-seen keys into `seen`. With `fill`: writes ids into the postings and,
 * for keys whose `count` entry holds a position slot (1-based), the record's first-occurrence position.
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
  out: Built,
): void {
  let { id, run, key, wide } = st;
  const { bitmaps, lists, positions, stride } = out;
  for (let i = from; i < to; i++) {
    const c = hay.charCodeAt(i);
    if (c === SEP) {
      id++;
      run = 0;
      wide = 0;
      continue;
    }
    run++;
    if (c < 128) key = ((key << 7) | c) & KEY_MASK;
    else {
      key = ((key << 7) | fold(c)) & KEY_MASK;
      wide = run;
    }
    if (run < 3 || last[key] === id) continue;
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
    const slot = count[key] as number;
    // the trigram is code units run-3..run-1 of the record; exact only when all three are ASCII
    if (slot !== 0 && run - 3 < MAX_POSITION && wide < run - 2) positions[(slot - 1) * stride + id] = run - 3;
  }
  st.id = id;
  st.run = run;
  st.key = key;
  st.wide = wide;
}

/** The arrays a fill pass writes. */
interface Built {
  /** Bytes per position slot: n rounded up to whole 32-bit words (searches compare 4 records at a time). */
  readonly stride: number;
  readonly bitmaps: Uint8Array;
  readonly lists: Uint16Array | Int32Array;
  readonly positions: Uint8Array;
}

const NOTHING: Built = {
  stride: 0,
  bitmaps: new Uint8Array(0),
  lists: new Uint16Array(0),
  positions: new Uint8Array(0),
};

/** One pass over `hay[0, end)` in slices; yields after each slice. */
function* slicedPass(
  hay: string,
  end: number,
  count: Int32Array,
  last: Int32Array,
  seen: number[] | undefined,
  fill: Int32Array | undefined,
  out: Built,
): Generator<void, void> {
  last.fill(-1);
  yield;
  const st: PassState = { id: 0, run: 0, key: 0, wide: 0 };
  for (let from = 0; from < end; from += SLICE_CHARS) {
    pass(hay, from, Math.min(end, from + SLICE_CHARS), st, count, last, seen, fill, out);
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
    /** Per key, its 1-based slot in `positionTable` (0: no positions kept). */
    private readonly slots: Uint8Array,
    /** `n` first-occurrence positions per slot, slots `stride` bytes apart. */
    private readonly positionTable: Uint8Array,
    private readonly stride = 0,
  ) {}

  static readonly EMPTY = new TrigramPostings(
    0,
    new Int32Array(0),
    new Int32Array(0),
    new Int32Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
    new Uint16Array(0),
    new Uint8Array(0),
    new Uint8Array(0),
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
    yield* slicedPass(hay, end, count, last, seen, undefined, NOTHING);
    const keys = Int32Array.from(seen).sort();
    yield;
    const width = n <= 0x10000 ? 2 : 4;
    const bitmapBytes = bitmapStride(n);
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
    const slots = positionSlots(keys, counts, n);
    slots.forEach((slot, j) => {
      if (slot !== 0) count[keys[j] as number] = slot; // the fill pass reads a key's slot from `count`
    });
    const stride = (n + 3) & ~3;
    const out: Built = {
      stride,
      bitmaps: new Uint8Array(bitmapSize),
      lists: width === 2 ? new Uint16Array(listSize) : new Int32Array(listSize),
      positions: new Uint8Array(stride * slots.reduce((m, x) => Math.max(m, x), 0)).fill(NO_POSITION),
    };
    yield;
    yield* slicedPass(hay, end, count, last, undefined, fill, out);
    slots.forEach((slot, j) => {
      if (slot !== 0) count[keys[j] as number] = 0;
    });
    idleScratch = scratch;
    return new TrigramPostings(
      n,
      keys,
      counts,
      offsets,
      isBitmap,
      out.bitmaps,
      out.lists,
      slots,
      out.positions,
      stride,
    );
  }

  /** Frees the build tables until the next build (call when a batch of builds is done). */
  static releaseScratch(): void {
    idleScratch = undefined;
  }

  /** Bytes of first-occurrence positions (included in {@link memoryBytes}): one per record per slot. */
  positionBytes(): number {
    return this.positionTable.byteLength;
  }

  /** Bytes held (all typed arrays). */
  memoryBytes(): number {
    return (
      this.keys.byteLength +
      this.counts.byteLength +
      this.offsets.byteLength +
      this.isBitmap.byteLength +
      this.bitmaps.byteLength +
      this.lists.byteLength +
      this.slots.byteLength +
      this.positionTable.byteLength
    );
  }

  /** Ascending local ids (< n) of records that may contain a text with these trigram keys (non-empty). */
  candidates(keys: readonly number[]): number[] {
    const found = this.candidateSet(keys);
    return found instanceof Uint8Array ? bitIds(found) : found;
  }

  /**
   * The records that may contain a text with these trigram keys (non-empty): as a bitmap (bit `id`)
   * when every key is common, which is the case of needles most records contain, else as ascending ids.
   */
  candidateSet(keys: readonly number[]): Uint8Array | number[] {
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

  /**
   * Per trigram of `needle` (in order: entry j is the trigram starting at code unit j), the first-
   * occurrence position of that trigram in each record (indexed by local id, padded with {@link NO_POSITION}
   * to whole 32-bit words; {@link NO_POSITION} when not known). Undefined unless the needle is ASCII (exact
   * keys), 3 to {@link MAX_POSITION} code units long, and every one of its
   * trigrams keeps positions. Record `id` contains the needle when entry 0 holds p < NO_POSITION and
   * every entry j holds p + j: the trigrams then cover code units p..p+len-1 of the record, in order.
   */
  positions(needle: string): Uint8Array[] | undefined {
    if (needle.length < 3 || needle.length > MAX_POSITION || this.positionTable.length === 0) return undefined;
    const out: Uint8Array[] = [];
    for (let i = 0; i + 2 < needle.length; i++) {
      const [a, b, c] = [needle.charCodeAt(i), needle.charCodeAt(i + 1), needle.charCodeAt(i + 2)];
      if (a >= 128 || b >= 128 || c >= 128) return undefined;
      const j = binarySearch(this.keys, (a << 14) | (b << 7) | c);
      const slot = j < 0 ? 0 : (this.slots[j] as number);
      if (slot === 0) return undefined;
      out.push(this.positionTable.subarray((slot - 1) * this.stride, slot * this.stride));
    }
    return out;
  }

  /** The AND of these bitmaps (32 bits at a time: the path of needles most records contain). */
  private bitmapAnd(offsets: readonly number[]): Uint8Array {
    const words = bitmapStride(this.n) >>> 2;
    const bits = this.bitmaps;
    const first = offsets[0] as number;
    const acc = bits.slice(first, first + words * 4);
    const acc32 = new Uint32Array(acc.buffer, 0, words);
    for (const off of offsets.slice(1)) {
      const other = new Uint32Array(bits.buffer, bits.byteOffset + off, words);
      for (let w = 0; w < words; w++) acc32[w] = (acc32[w] as number) & (other[w] as number);
    }
    return acc;
  }
}

/** Keys that keep positions: the most common ones held by more than half the records, 1-based slots per key. */
function positionSlots(keys: Int32Array, counts: Int32Array, n: number): Uint8Array {
  const slots = new Uint8Array(keys.length);
  const common = [...counts.keys()].filter((j) => (counts[j] as number) * 2 > n);
  common.sort((a, b) => (counts[b] as number) - (counts[a] as number));
  common.slice(0, MAX_POSITION_KEYS).forEach((j, k) => (slots[j] = k + 1));
  return slots;
}
