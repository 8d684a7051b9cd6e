#!/usr/bin/env node
// `npm run test:integration`: the real-editor integration tests, offline. Installs the harness (idempotent),
// builds the extension, bundles test/integration (runner + suites) into out/integration/index.js, starts
// the demo servers, runs the suite inside code-server's extension host (headless Chromium as the
// workbench), prints mocha's output and exits with its code. Everything started is torn down, also on
// Ctrl+C and on the global timeout.
// Options: --verbose (server + page logs), --skip-build, --extension <dir> and --suite-dir <dir>
// (run another extension/suite, used to test the harness itself), --folder <dir>, --timeout <seconds>.
// After the main suite, a short second pass runs test/integration/untrusted in a fresh editor with
// workspace trust ON and a copy of test/fixtures/untrustedWorkspace opened UNTRUSTED (Restricted
// Mode); --untrusted-only runs just that pass, --no-untrusted skips it.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleIntegration } from './bundleIntegration.mjs';
import { createTeardown, npmRun } from './lifecycle.mjs';
import { startDemoServersProcess, testEnvironment, DEMO_SERVERS_TS } from './demoServers.mjs';
import { runExtensionTests } from './extensionTests.mjs';
import { packageChatParticipant } from './fixtureExtensions.mjs';
import { REPO_ROOT, ensureHarness } from './setup.mjs';

const say = (msg) => process.stdout.write(`[test:integration] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    extension: { type: 'string' },
    'suite-dir': { type: 'string' },
    folder: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    'untrusted-only': { type: 'boolean', default: false },
    'no-untrusted': { type: 'boolean', default: false },
  },
});

const UNTRUSTED_SUITE = path.join(REPO_ROOT, 'test', 'integration', 'untrusted');
const UNTRUSTED_FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'untrustedWorkspace');

const { cleanups, finish } = createTeardown({ say });
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

async function main() {
  const t0 = Date.now();
  const globalTimer = setTimeout(
    () => {
      say(`FAILED: global timeout of ${opts.timeout} s reached`);
      void finish(1);
    },
    Number(opts.timeout) * 1000,
  );
  globalTimer.unref();

  await ensureHarness();
  const extensionDevelopmentPath = path.resolve(opts.extension ?? REPO_ROOT);
  if (!opts['skip-build'] && !opts.extension) {
    const t = Date.now();
    await npmRun('build');
    say(`extension built in ${secs(t)}`);
  }
  const main = path.join(extensionDevelopmentPath, 'dist', 'extension.js');
  if (!opts.extension && !existsSync(main))
    throw new Error(`no ${path.relative(REPO_ROOT, main)} — does src/extension.ts exist?`);

  const outfile = opts['suite-dir'] ? path.join(REPO_ROOT, 'out', 'integration', 'custom', 'index.js') : undefined;
  const bundle = await bundleIntegration({
    ...(opts['suite-dir'] && { suiteDir: path.resolve(opts['suite-dir']), outfile }),
  });
  say(
    `bundled ${bundle.files.length} suite file(s): ${bundle.files.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`,
  );

  let env = {};
  if (existsSync(DEMO_SERVERS_TS)) {
    const t = Date.now();
    const demo = await startDemoServersProcess({ log: (l) => opts.verbose && say(`[demo] ${l}`) });
    cleanups.push(() => demo.close());
    env = testEnvironment(demo);
    say(`demo servers up in ${secs(t)}: issuer ${demo.issuer}, MCP ${demo.httpMcpUrl}`);
  } else {
    say(`WARNING: ${path.relative(REPO_ROOT, DEMO_SERVERS_TS)} missing — running without MCP_SECURE_TEST_* variables`);
  }
  if (process.env.MCP_SECURE_TEST_GREP) env.MCP_SECURE_TEST_GREP = process.env.MCP_SECURE_TEST_GREP;

  // Test-only extensions installed next to ours (not for --extension runs, which test the harness itself).
  const extraVsix = opts.extension ? [] : [await packageChatParticipant()];
  const t = Date.now();
  const code = opts['untrusted-only']
    ? 0
    : await runExtensionTests({
        extensionDevelopmentPath,
        extraVsix,
        extensionTestsPath: bundle.outfile,
        folder: opts.folder,
        env,
        verbose: opts.verbose,
        timeoutMs: Number(opts.timeout) * 1000,
        defer: (fn) => cleanups.push(fn),
      });
  const untrusted =
    opts.extension || opts['suite-dir'] || opts['no-untrusted']
      ? 0
      : await runUntrusted({ extensionDevelopmentPath, extraVsix, env });
  say(`${code === 0 && untrusted === 0 ? 'PASSED' : 'FAILED'} — editor run ${secs(t)}, total ${secs(t0)}`);
  return code || untrusted;
}

/** The untrusted-workspace pass: its own suite, a fresh editor with trust on, the fixture folder untrusted. */
async function runUntrusted({ extensionDevelopmentPath, extraVsix, env }) {
  const t = Date.now();
  const bundle = await bundleIntegration({
    suiteDir: UNTRUSTED_SUITE,
    outfile: path.join(REPO_ROOT, 'out', 'integration', 'untrusted', 'index.js'),
  });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mcs-untrusted-'));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  await cp(UNTRUSTED_FOLDER, folder, { recursive: true });
  say(`untrusted workspace pass: ${bundle.files.length} suite file(s), folder ${folder} (not trusted)`);
  const code = await runExtensionTests({
    extensionDevelopmentPath,
    extraVsix,
    extensionTestsPath: bundle.outfile,
    folder,
    env,
    workspaceTrust: true,
    verbose: opts.verbose,
    timeoutMs: Number(opts.timeout) * 1000,
    defer: (fn) => cleanups.push(fn),
  });
  say(`untrusted workspace pass ${code === 0 ? 'PASSED' : 'FAILED'} in ${secs(t)}`);
  return code;
}

main().then(
  (code) => finish(code),
  (err) => {
    say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    void finish(1);
  },
);
