#!/usr/bin/env node
// Runs every client scenario of @modelcontextprotocol/conformance against the headless CLI, ONE
// scenario per runner invocation, and judges each scenario on its own (the per-scenario rule in
// shared/CONFORMANCE.md): the runner's exit code, any FAILURE/WARNING check in checks.json, a timeout.
//
// Usage: node scripts/conformance.mjs [--scenario <name>]... [--jobs N] [--check] [--update-baseline]
//                                     [--timeout ms] [--command "<cmd>"] [--no-build] [--json] [--keep]
//                                     [--baseline <path>] [--results <dir>]
//   --scenario   run only these scenarios (repeatable; a value ending in * is a prefix filter)
//   --jobs       scenarios in parallel (default 2)
//   --check      compare with test/conformance/baseline.json: exit 1 if a baseline pass fails now
//   --update-baseline  rewrite the baseline with the scenarios that pass now (full runs only)
//   --command    client command (default: `node dist/cli.js conformance`, built first)
//   --keep       keep the results directory (default: removed unless something failed)
//   --baseline   baseline file (default test/conformance/baseline.json)
//   --results    where to write the per-scenario results (default: a new temp directory)
// Exit code: 0 when every selected scenario passed (or, with --check, no regression); 1 otherwise.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runnerBin = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const defaultBaselinePath = join(root, 'test', 'conformance', 'baseline.json');
const SCENARIO_TIMEOUT_MS = 30_000;
/** Hard cap on one runner process (runner start-up + client timeout + teardown). */
const RUNNER_KILL_MS = 75_000;
/**
 * The runner needs Node >= 22 (fs.globSync). On an older Node the script fetches this exact version once
 * with `npx node@…` (the cross-platform `node` package from the npm registry, cached by npm) and puts it
 * first on PATH for the runner and the `node dist/cli.js` client it starts — for this script alone.
 */
const RUNNER_NODE_VERSION = '22.23.3';

const OPTIONS = /** @type {const} */ ({
  scenario: { type: 'string', multiple: true },
  jobs: { type: 'string' },
  check: { type: 'boolean' },
  'update-baseline': { type: 'boolean' },
  timeout: { type: 'string' },
  command: { type: 'string' },
  'no-build': { type: 'boolean' },
  json: { type: 'boolean' },
  keep: { type: 'boolean' },
  baseline: { type: 'string' },
  results: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
});

/**
 * @typedef {{ scenarios: string[], jobs: number, check: boolean, updateBaseline: boolean, timeout: number,
 *   command: string | undefined, build: boolean, json: boolean, keep: boolean, baseline: string,
 *   results: string | undefined }} Options
 */

/** @param {string[]} argv @returns {Options} */
function parseOptions(argv) {
  /** @type {ReturnType<typeof parseArgs<{ options: typeof OPTIONS, args: string[], strict: true }>>['values']} */
  let v;
  try {
    v = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  if (v.help) usage();
  return {
    scenarios: v.scenario ?? [],
    jobs: Math.max(1, Number.parseInt(v.jobs ?? '2', 10) || 1),
    check: v.check ?? false,
    updateBaseline: v['update-baseline'] ?? false,
    timeout: Number.parseInt(v.timeout ?? '', 10) || SCENARIO_TIMEOUT_MS,
    command: v.command,
    build: !v['no-build'],
    json: v.json ?? false,
    keep: v.keep ?? false,
    baseline: v.baseline ? resolve(v.baseline) : defaultBaselinePath,
    results: v.results ? resolve(v.results) : undefined,
  };
}

/** Prints the usage (and `error`) and exits: 2 on an error, 0 for --help. @param {string} [error] @returns {never} */
function usage(error) {
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('//'))
    .slice(0, 17);
  if (error) console.error(`conformance: ${error}`);
  console.error(text.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(error ? 2 : 0);
}

/**
 * Path of a Node >= 22 binary for the runner: this process' own when it is new enough, else the pinned
 * RUNNER_NODE_VERSION through `npx` (downloaded on first use, then served from npm's cache).
 * @returns {Promise<string>}
 */
async function runnerNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const r = await run(npx, ['-y', `node@${RUNNER_NODE_VERSION}`, '-p', 'process.execPath'], {
    timeoutMs: 300_000,
    env: { ...process.env, npm_config_loglevel: 'error' },
    shell: process.platform === 'win32',
  });
  const binary = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !existsSync(binary))
    throw new Error(`could not get Node ${RUNNER_NODE_VERSION} for the conformance runner: ${r.stderr.trim()}`);
  return binary;
}

/** Environment for the runner: its Node first on PATH (the runner needs fs.globSync). @param {string} nodeBinary */
function runnerEnv(nodeBinary) {
  return {
    ...process.env,
    PATH: `${dirname(nodeBinary)}${delimiter}${process.env.PATH ?? ''}`,
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
}

/**
 * @param {string} cmd @param {string[]} args
 * @param {{ timeoutMs: number, env: NodeJS.ProcessEnv, shell?: boolean }} options
 * @returns {Promise<{ code: number, stdout: string, stderr: string, killed: boolean, durationMs: number }>}
 */
function run(cmd, args, { timeoutMs, env, shell = false }) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env, shell, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      killed = true;
      try {
        if (pid !== undefined) process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr, killed, durationMs: Date.now() - started });
    });
  });
}

/** @typedef {{ name: string, versions: string[] }} Scenario */

/** `conformance list --client` → [{ name, versions[] }] */
/** @param {string} nodeBinary */
async function listScenarios(nodeBinary) {
  const r = await run(nodeBinary, [runnerBin, 'list', '--client'], {
    timeoutMs: 30_000,
    env: runnerEnv(nodeBinary),
  });
  if (r.code !== 0) throw new Error(`conformance list failed: ${r.stderr}`);
  /** @type {Scenario[]} */
  const out = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+-\s+(\S+)\s+\[([^\]]*)\]/.exec(line);
    if (m?.[1] && m[2] !== undefined) out.push({ name: m[1], versions: m[2].split(',').map((s) => s.trim()) });
  }
  return out;
}

/** The wire the runner picks (no --spec-version): 2026-07-28 only for scenarios introduced there. */
/** @param {string[]} versions */
function wireOf(versions) {
  return versions.length === 1 && versions[0] === '2026-07-28' ? '2026-07-28' : '2025-11-25';
}

/** The first checks.json under `dir`, depth first. @param {string} dir @returns {string | undefined} */
function findChecks(dir) {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const found = findChecks(p);
      if (found) return found;
    } else if (entry === 'checks.json') return p;
  }
  return undefined;
}

/**
 * @typedef {{ id: string, status: string, errorMessage?: string, description?: string }} Check
 * @typedef {{ scenario: string, wire: string, passed: boolean, vacuous: boolean, durationMs: number,
 *   successes: number, failures: number, reason: string }} ScenarioResult
 */

/**
 * @param {Scenario} scenario @param {Options & { command: string }} opts @param {string} resultsDir
 * @param {string} nodeBinary
 * @returns {Promise<ScenarioResult>}
 */
async function runScenario(scenario, opts, resultsDir, nodeBinary) {
  const outDir = join(resultsDir, scenario.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  const args = [
    runnerBin,
    'client',
    '--command',
    opts.command,
    '--scenario',
    scenario.name,
    '--timeout',
    String(opts.timeout),
    '-o',
    outDir,
  ];
  const r = await run(nodeBinary, args, {
    timeoutMs: Math.max(RUNNER_KILL_MS, opts.timeout + 45_000),
    env: runnerEnv(nodeBinary),
  });
  writeFileSync(
    join(resultsDir, `${scenario.name.replace(/[^A-Za-z0-9._-]/g, '_')}.runner.log`),
    `${r.stdout}\n${r.stderr}`,
  );
  const checksFile = findChecks(outDir);
  /** @type {Check[]} */
  let checks = [];
  if (checksFile) {
    try {
      checks = JSON.parse(readFileSync(checksFile, 'utf8'));
    } catch {
      checks = [];
    }
  }
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const successes = checks.filter((c) => c.status === 'SUCCESS').length;
  const timedOut = r.killed || /Client timed out after/.test(r.stderr);
  const clientExit = /Client exited with code (-?\d+)/.exec(r.stderr)?.[1];
  const passed = r.code === 0 && bad.length === 0 && !timedOut && checksFile !== undefined;
  let reason = '';
  const c = bad[0];
  if (c) {
    reason = `${c.status} ${c.id}${c.errorMessage ? `: ${c.errorMessage}` : c.description ? `: ${c.description}` : ''}`;
  } else if (timedOut) reason = 'timeout';
  else if (!checksFile) reason = `no checks.json (runner exit ${r.code})`;
  else if (r.code !== 0)
    reason = clientExit !== undefined ? `client exited with code ${clientExit}` : `runner exit ${r.code}`;
  return {
    scenario: scenario.name,
    wire: wireOf(scenario.versions),
    passed,
    vacuous: passed && successes === 0,
    durationMs: r.durationMs,
    successes,
    failures: bad.length,
    reason: reason.replace(/\s+/g, ' ').slice(0, 160),
  };
}

/**
 * Runs `fn` over `items` with at most `jobs` at once, results in input order.
 * @template T, R
 * @param {T[]} items @param {number} jobs @param {(item: T, index: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function pool(items, jobs, fn) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(/** @type {T} */ (items[i]), i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

/** @param {Scenario[]} all @param {string[]} filters */
function selectScenarios(all, filters) {
  if (filters.length === 0) return all;
  const picked = all.filter((s) =>
    filters.some((f) => (f.endsWith('*') ? s.name.startsWith(f.slice(0, -1)) : s.name === f)),
  );
  const unknown = filters.filter((f) => !f.endsWith('*') && !all.some((s) => s.name === f));
  if (unknown.length > 0) usage(`unknown scenario(s): ${unknown.join(', ')}`);
  return picked;
}

async function buildCli() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: join(root, 'dist', 'cli.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
  });
}

/** @param {ScenarioResult[]} results */
function printTable(results) {
  const rows = results.map((r) => [
    r.scenario,
    r.wire,
    r.passed ? (r.vacuous ? 'pass (vacuous)' : 'pass') : 'FAIL',
    `${(r.durationMs / 1000).toFixed(1)}s`,
    r.passed ? '' : r.reason,
  ]);
  const head = ['scenario', 'wire', 'result', 'duration', 'first failing check'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === 4 ? 0 : (row[i] ?? '').length))));
  widths[4] = head[4]?.length ?? 0;
  const fmt = (/** @type {string[]} */ row) =>
    row
      .map((c, i) => (i === 4 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(fmt(head));
  console.log(fmt(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(fmt(row));
}

/** @param {string} path @returns {{ passed: string[] } | undefined} */
function readBaseline(path) {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const started = Date.now();
  if (!opts.command && opts.build) await buildCli();
  const command = opts.command ?? `node ${join(root, 'dist', 'cli.js')} conformance`;
  const nodeBinary = await runnerNode();
  const all = await listScenarios(nodeBinary);
  const selected = selectScenarios(all, opts.scenarios);
  if (opts.results) mkdirSync(opts.results, { recursive: true });
  const resultsDir = mkdtempSync(join(opts.results ?? tmpdir(), 'mcp-secure-conformance-'));
  console.error(`conformance: ${selected.length} scenario(s), ${opts.jobs} job(s), client: ${command}`);
  const results = await pool(selected, opts.jobs, async (s) => {
    const r = await runScenario(s, { ...opts, command }, resultsDir, nodeBinary);
    console.error(`  ${r.passed ? 'pass' : 'FAIL'} ${r.scenario} (${(r.durationMs / 1000).toFixed(1)}s)`);
    return r;
  });
  const passed = results.filter((r) => r.passed);
  const failed = results.filter((r) => !r.passed);
  const vacuous = passed.filter((r) => r.vacuous).map((r) => r.scenario);
  if (opts.json) console.log(JSON.stringify({ results, passed: passed.length, failed: failed.length }, null, 2));
  else printTable(results);
  console.log('');
  if (vacuous.length > 0) console.log(`vacuous passes (no SUCCESS check scored): ${vacuous.join(', ')}`);
  console.log(`duration: ${((Date.now() - started) / 1000).toFixed(1)}s; results: ${resultsDir}`);

  let exitCode = failed.length > 0 ? 1 : 0;
  if (opts.check) {
    const baseline = readBaseline(opts.baseline);
    if (!baseline) {
      console.log(`no baseline at ${opts.baseline}`);
      exitCode = 1;
    } else {
      const ran = new Set(results.map((r) => r.scenario));
      const regressions = baseline.passed.filter((n) => ran.has(n) && !passed.some((p) => p.scenario === n));
      if (regressions.length > 0) console.log(`REGRESSIONS against the baseline: ${regressions.join(', ')}`);
      else console.log(`baseline check: no regression (${baseline.passed.length} scenarios in the baseline)`);
      exitCode = regressions.length > 0 ? 1 : 0;
    }
  }
  if (opts.updateBaseline) {
    if (opts.scenarios.length > 0) console.log('not updating the baseline from a filtered run');
    else {
      const baseline = {
        note: 'Client scenarios of @modelcontextprotocol/conformance@0.2.0-alpha.12 that pass, one run per scenario (scripts/conformance.mjs).',
        recordedAt: new Date().toISOString(),
        passed: passed.map((r) => r.scenario).sort(),
        vacuous: vacuous.sort(),
      };
      writeFileSync(opts.baseline, `${JSON.stringify(baseline, null, 2)}\n`);
      console.log(`baseline written: ${opts.baseline} (${baseline.passed.length} passing)`);
    }
  }
  if (!opts.keep && failed.length === 0) rmSync(resultsDir, { recursive: true, force: true });
  console.log(`${passed.length} passed, ${failed.length} failed`);
  process.exit(exitCode);
}

main().catch((e) => {
  console.error(`conformance: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
