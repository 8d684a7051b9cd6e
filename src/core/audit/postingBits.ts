/**
 * Bit and id-list primitives of the trigram postings (trigramIndex.ts) and their search
 * (textHaystack.ts): bitmaps padded to 32-bit words so that they are combined a word at a time, and
 * the four-records-at-a-time check that a needle's trigram positions spell it.
 */

/** Bytes per bitmap: one bit per record, in whole 32-bit words (bitmaps are ANDed a word at a time). */
export function bitmapStride(n: number): number {
  return ((n + 31) >>> 5) << 2;
}

/** Ascending ids of the bits set in a bitmap. */
export function bitIds(bits: Uint8Array): number[] {
  const ids: number[] = [];
  for (let b = 0; b < bits.length; b++) {
    const v = bits[b] as number;
    if (v === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) ids.push((b << 3) | bit);
  }
  return ids;
}

/** Bits set in a bitmap. */
export function bitCount(bits: Uint8Array): number {
  let count = 0;
  for (let b = 0; b < bits.length; b++) for (let v = bits[b] as number; v !== 0; v &= v - 1) count++;
  return count;
}

/** The high bit of each byte of a word: in {@link spelled}'s answer, four proven records. */
export const HIGH = 0x80808080;
const LOW = 0x7f7f7f7f;

/**
 * Per record (byte k, non-zero when proven), whether the needle's trigrams start at consecutive
 * positions p, p+1, … in it. Four records per step: bytewise `at[j] - at[0]` (SWAR subtraction without
 * borrows between bytes) compared with j; exact because positions are below 128 and j is below 128,
 * so no sum wraps past 255, and an unknown first position (255, high bit set) is never proven.
 */
export function spelled(at: readonly Uint8Array[]): Uint8Array {
  const first = at[0] as Uint8Array;
  const words = first.length >>> 2;
  const f = new Uint32Array(first.buffer, first.byteOffset, words);
  const miss = new Uint32Array(words);
  for (let j = 1; j < at.length; j++) {
    const aj = at[j] as Uint8Array;
    const a = new Uint32Array(aj.buffer, aj.byteOffset, words);
    const want = Math.imul(j, 0x01010101);
    for (let w = 0; w < words; w++) {
      const fw = f[w] as number;
      const aw = a[w] as number;
      const x = ((aw | HIGH) - (fw & LOW)) ^ ((aw ^ ~fw) & HIGH) ^ want; // zero bytes where at[j] = at[0] + j
      miss[w] = (miss[w] as number) | ((((x & LOW) + LOW) | x) & HIGH);
    }
  }
  for (let w = 0; w < words; w++) miss[w] = ~((miss[w] as number) | (f[w] as number)) & HIGH;
  return new Uint8Array(miss.buffer);
}

export function binarySearch(xs: Int32Array, x: number): number {
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
export function intersect(a: readonly number[], b: readonly number[]): number[] {
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
