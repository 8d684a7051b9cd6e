/** Percentiles, formatting and the target lines the benchmarks print. */
import { randomInt } from 'node:crypto';

/** The `p`-quantile (0..1) by the nearest-rank method. */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1));
  return s[rank] as number;
}

export const fmt = (n: number, d = 2): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** One result line: the figure, its target and whether it is met (`higherIsBetter` for throughput). */
export function targetLine(label: string, ratio: number, target: number, higherIsBetter = false, detail = ''): string {
  const met = higherIsBetter ? ratio >= target : ratio <= target;
  const want = `${higherIsBetter ? '>=' : '<='} ${fmt(target)}x`;
  return `${label.padEnd(46)} ${fmt(ratio, 3)}x  (target ${want}: ${met ? 'met' : 'MISSED'})${detail ? `  ${detail}` : ''}`;
}

/** One result line for a latency in ms: the figure, its upper bound and whether it is met. */
export function msTargetLine(label: string, ms: number, targetMs: number, detail = ''): string {
  const met = ms <= targetMs ? 'met' : 'MISSED';
  return `${label.padEnd(46)} ${fmt(ms, 1).padStart(6)} ms (target <= ${fmt(targetMs, 0)} ms: ${met})${detail ? `  ${detail}` : ''}`;
}

/** Fisher–Yates shuffle (order of variants inside a round, so drift hits every variant alike). */
export function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
