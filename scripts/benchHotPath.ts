/**
 * Hot-path benchmark (`npm run bench:calls`, part of `npm run bench`): what a `tools/call` costs through
 * MCP Secure compared with the raw `@modelcontextprotocol/client` v2 client with a static Bearer
 * header, on the same SDK 1.x Streamable HTTP server (JWKS-validated Bearer, child process, loopback).
 *
 * ONE interleaved run: each round runs a block of BLOCK sequential calls per variant, variants in a
 * fresh random order every round, until every variant made CALLS timed calls; after each block the
 * variant's background work (audit writes) is drained, untimed, so no block pays for another's.
 * Then throughput with CONCURRENCY concurrent callers in rounds of CONCURRENT_BLOCK calls per variant
 * (raw, without and with the audit trail, and an A/A control), interleaved the same way; the
 * throughput figures are medians of the per-round ratios, which cancel the server's drift.
 * Figures only: nothing here asserts a time.
 *
 *   npm run bench:calls                                # 3,000 calls per variant, blocks of 100
 *   BENCH_CALLS=4000 BENCH_BLOCK=100 npm run bench:calls
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fmt, quantile, shuffled, targetLine } from './bench/stats';
import { startWorld, type Variant } from './bench/world';

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} wants an integer >= ${min}, got ${String(raw)}`);
  return n;
}

const CALLS = intEnv('BENCH_CALLS', 3000, 100);
const BLOCK = intEnv('BENCH_BLOCK', 100, 1);
const WARMUP = intEnv('BENCH_WARMUP', 200, 0);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8, 1);
const CONCURRENT_CALLS = intEnv('BENCH_CONCURRENT_CALLS', 12000, CONCURRENCY);
const CONCURRENT_BLOCK = intEnv('BENCH_CONCURRENT_BLOCK', 400, CONCURRENCY);

async function block(v: Variant, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await v.call();
    into.push(performance.now() - s);
  }
  await v.settle();
}

/** Median over rounds of a's figure divided by b's in the same round (drift between rounds cancels). */
function pairedRatio(perRound: Map<Variant, number[]>, a: Variant, b: Variant): number {
  const fb = perRound.get(b) as number[];
  return quantile(
    (perRound.get(a) as number[]).map((x, i) => x / (fb[i] as number)),
    0.5,
  );
}

/** `total` calls by `callers` concurrent loops; returns calls per second. */
async function concurrent(v: Variant, callers: number, total: number): Promise<number> {
  let next = 0;
  const s = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next++ < total) await v.call();
    }),
  );
  const seconds = (performance.now() - s) / 1000;
  await v.settle();
  return total / seconds;
}

/**
 * undici leaves an abort listener on the signal of every request until that request is collected, and
 * the raw SDK client hands each POST its transport's one long-lived signal: past 1,500 listeners Node
 * prints a MaxListenersExceededWarning per request. Printing them would slow the raw client (stderr
 * writes on its event loop) and bury the figures; they are counted and reported once instead.
 * (MCP Secure's fetch gives every request a signal of its own, see authorizedFetch.ts.)
 */
function countListenerWarnings(): () => number {
  let count = 0;
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'MaxListenersExceededWarning') count++;
    else console.warn(w);
  });
  return () => count;
}

async function main(): Promise<void> {
  const listenerWarnings = countListenerWarnings();
  console.log(
    `hot-path bench: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const world = await startWorld();
  const { raw, staticBearer, engine, engineControl, audited } = world.variants;
  const variants = [raw, staticBearer, engine, engineControl, audited];
  try {
    for (const v of variants) await block(v, WARMUP, []);
    const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    /** Per round, each variant's block p50 (drift between rounds cancels in per-round ratios). */
    const roundP50 = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    const reads0 = world.secrets.reads;
    let engineCalls = 0;
    const rounds = Math.ceil(CALLS / BLOCK);
    for (let r = 0; r < rounds; r++) {
      for (const v of shuffled(variants)) {
        const before = world.secrets.reads;
        const got: number[] = [];
        await block(v, BLOCK, got);
        (times.get(v) as number[]).push(...got);
        (roundP50.get(v) as number[]).push(quantile(got, 0.5));
        if (v === raw || v === staticBearer)
          world.secrets.reads = before; // count only calls that read grants
        else engineCalls += BLOCK;
      }
    }
    const readsPerCall = (world.secrets.reads - reads0) / engineCalls;

    // many short rounds: the server's own cost per call drifts (its heap, its JIT) by more than the
    // differences measured, and a ratio taken within a round cancels that drift
    const perBlock = CONCURRENT_BLOCK;
    const tputVariants = [raw, engine, engineControl, audited];
    const tput = new Map<Variant, number[]>(tputVariants.map((v) => [v, []]));
    for (let done = 0; done < CONCURRENT_CALLS; done += perBlock) {
      for (const v of shuffled(tputVariants))
        (tput.get(v) as number[]).push(await concurrent(v, CONCURRENCY, perBlock));
    }

    const p = (v: Variant, q: number): number => quantile(times.get(v) as number[], q);
    console.log(
      `\n${CALLS} calls per variant in blocks of ${BLOCK} sequential tools/call (interleaved, random order per round), loopback`,
    );
    console.log(
      `${'variant'.padEnd(30)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'p50 ratio'.padStart(10)} ${'p99 ratio'.padStart(10)}`,
    );
    for (const v of variants) {
      console.log(
        `${v.name.padEnd(30)} ${fmt(p(v, 0.5), 3).padStart(8)} ${fmt(p(v, 0.99), 3).padStart(8)} ${fmt(p(v, 0.5) / p(raw, 0.5), 3).padStart(10)} ${fmt(p(v, 0.99) / p(raw, 0.99), 3).padStart(10)}`,
      );
    }
    const tRaw = quantile(tput.get(raw) as number[], 0.5);
    const tAud = quantile(tput.get(audited) as number[], 0.5);
    console.log(
      `\nresults (whole stack = ConnectionManager + OAuthEngine + AuditStore as the extension configures it):`,
    );
    console.log(targetLine('whole stack p50 vs raw client', p(audited, 0.5) / p(raw, 0.5), 1.05));
    console.log(targetLine('whole stack p99 vs raw client', p(audited, 0.99) / p(raw, 0.99), 1.1));
    const pairedTput = (a: Variant, b: Variant): number => pairedRatio(tput, a, b);
    const rounds2 = (tput.get(raw) as number[]).length;
    console.log(
      targetLine(
        `throughput, ${CONCURRENCY} concurrent callers, vs raw`,
        pairedTput(audited, raw),
        0.95,
        true,
        `(median over ${rounds2} rounds of ${perBlock} calls of the per-round ratio; medians ${fmt(tAud, 0)} vs ${fmt(tRaw, 0)} calls/s, ratio ${fmt(tAud / tRaw, 3)})`,
      ),
    );
    const tEng = quantile(tput.get(engine) as number[], 0.5);
    console.log(
      `${`throughput, ${CONCURRENCY} concurrent callers, audit on vs off`.padEnd(46)} ${fmt(pairedTput(audited, engine), 3)}x  (${fmt(tEng, 0)} calls/s without the audit trail); without audit vs raw ${fmt(pairedTput(engine, raw), 3)}x`,
    );
    console.log(
      `${`throughput A/A control: same stack, second connection`.padEnd(46)} ${fmt(pairedTput(engineControl, engine), 3)}x (ideal 1.000: the noise floor of the throughput figures)`,
    );
    console.log(targetLine('auditing on vs off (p50, back-to-back)', p(audited, 0.5) / p(engine, 0.5), 1.03));
    console.log(targetLine('auditing on vs off (p99, back-to-back)', p(audited, 0.99) / p(engine, 0.99), 1.1));
    console.log(
      `${'SecretStore reads per tools/call (engine)'.padEnd(46)} ${fmt(readsPerCall, 2)}   (target 0: each is an IPC round trip in the editor)`,
    );
    const paired = (a: Variant, b: Variant): number => pairedRatio(roundP50, a, b);
    console.log(
      `\nnoise floor and drift-free figures (median over ${rounds} rounds of the per-round block-p50 ratio):`,
    );
    console.log(
      `${'A/A control: same stack, second connection'.padEnd(46)} p50 ${fmt(p(engineControl, 0.5) / p(engine, 0.5), 3)}x, p99 ${fmt(p(engineControl, 0.99) / p(engine, 0.99), 3)}x, paired ${fmt(paired(engineControl, engine), 3)}x (ideal 1.000)`,
    );
    console.log(`${'whole stack vs raw client, paired p50'.padEnd(46)} ${fmt(paired(audited, raw), 3)}x`);
    console.log(`${'auditing on vs off, paired p50'.padEnd(46)} ${fmt(paired(audited, engine), 3)}x`);
    console.log(
      `\nMaxListenersExceededWarning (abort listeners piling up on the raw client's transport signal): ${listenerWarnings()}`,
    );
  } finally {
    await world.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
