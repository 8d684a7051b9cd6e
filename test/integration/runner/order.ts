/**
 * The suite files in the order MCP_SECURE_TEST_ORDER asks for: sorted (default), `reverse`, or
 * `shuffle:<seed>` (a seeded Fisher–Yates shuffle, so a failing order can be replayed). Files must not
 * depend on each other's order; running them shuffled proves it.
 */
export function orderSuites<T>(files: readonly T[], order = ''): T[] {
  const out = [...files];
  if (order === 'reverse') return out.reverse();
  const seed = /^shuffle:(\d+)$/.exec(order)?.[1];
  if (order && seed === undefined)
    throw new Error(`MCP_SECURE_TEST_ORDER must be reverse or shuffle:<seed>, not ${order}`);
  if (seed === undefined) return out;
  let state = Number(seed) >>> 0 || 1;
  const next = (): number => {
    // xorshift32: deterministic, good enough to permute a dozen files.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
