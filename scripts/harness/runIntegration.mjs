#!/usr/bin/env node
// `npm run test:integration`: the real-editor integration tests. Builds the extension, bundles
// test/integration (runner + suites) into out/integration/index.js, starts the demo servers and hands the
// bundle to @vscode/test-electron's `runTests`, the standard VS Code test runner, which starts the editor:
//   * code-server (offline, the default when Microsoft's update server cannot be reached):
//     `vscodeExecutablePath` is scripts/harness/vscodeShim.mjs, which runs the same bundle in code-server's
//     extension host (headless Chromium as the workbench; the harness is installed on first use);
//   * desktop VS Code (with internet): test-electron downloads it, as for any extension.
// `--editor code-server|desktop` (or MCP_SECURE_EDITOR) chooses explicitly. Prints mocha's output and exits
// with its code. Everything started is torn down, also on Ctrl+C and on the global timeout.
// Options: --verbose (server + page logs), --skip-build, --extension <dir> and --suite-dir <dir>
// (run another extension/suite, used to test the harness itself), --folder <dir>, --timeout <seconds>,
// --editor code-server|desktop.
// After the main suite, in code-server, a short second pass runs test/integration/untrusted in a fresh editor
// with workspace trust ON and a copy of test/fixtures/untrustedWorkspace opened UNTRUSTED (Restricted Mode).
// It calls the shim's runExtensionTests directly: test-electron's runTests always passes
// --disable-workspace-trust. --untrusted-only runs just that pass, --no-untrusted skips it.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleIntegration } from './bundleIntegration.mjs';
import { createTeardown, npmRun } from './lifecycle.mjs';
import { startDemoServersProcess, testEnvironment, DEMO_SERVERS_TS } from './demoServers.mjs';
import { VSCODE_SHIM, chooseEditor } from './editorChoice.mjs';
import { runExtensionTests } from './extensionTests.mjs';
import { CHAT_PARTICIPANT_DIR } from './fixtureExtensions.mjs';
import { REPO_ROOT, ensureHarness } from './setup.mjs';

/**
 * The part of @vscode/test-electron's `TestOptions` used here.
 * @typedef {{ extensionDevelopmentPath: string[], extensionTestsPath: string, extensionTestsEnv: Record<string, string>,
 *   launchArgs: string[], vscodeExecutablePath?: string }} RunTestsOptions
 */
const say = (/** @type {string} */ msg) => process.stdout.write(`[test:integration] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    extension: { type: 'string' },
    'suite-dir': { type: 'string' },
    folder: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    editor: { type: 'string' },
    'untrusted-only': { type: 'boolean', default: false },
    'no-untrusted': { type: 'boolean', default: false },
  },
});
const UNTRUSTED_SUITE = path.join(REPO_ROOT, 'test', 'integration', 'untrusted');
const UNTRUSTED_FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'untrustedWorkspace');
const secs = (/** @type {number} */ t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

const { cleanups, finish } = createTeardown({ say });

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

  const editor = await chooseEditor(opts.editor ?? process.env.MCP_SECURE_EDITOR);
  say(
    `editor: ${editor === 'desktop' ? 'desktop VS Code (downloaded by @vscode/test-electron)' : 'code-server (scripts/harness/vscodeShim.mjs)'}`,
  );
  if (editor === 'code-server') await ensureHarness();
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

  /** @type {Record<string, string>} */
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
  for (const passed of ['MCP_SECURE_TEST_GREP', 'MCP_SECURE_TEST_ORDER']) {
    const value = process.env[passed];
    if (value) env[passed] = value;
  }

  if (opts.verbose) env.MCP_SECURE_HARNESS_VERBOSE = '1';
  env.MCP_SECURE_HARNESS_TIMEOUT_MS = String(Number(opts.timeout) * 1000);
  // Test-only extensions loaded next to ours (not for --extension runs, which test the harness itself).
  const developmentPaths = [extensionDevelopmentPath, ...(opts.extension ? [] : [CHAT_PARTICIPANT_DIR])];
  const t = Date.now();
  // CommonJS package; createRequire also honours NODE_PATH.
  const { runTests } = /** @type {{ runTests(options: RunTestsOptions): Promise<number> }} */ (
    createRequire(import.meta.url)('@vscode/test-electron')
  );
  const code = opts['untrusted-only']
    ? 0
    : await runTests({
        extensionDevelopmentPath: developmentPaths,
        extensionTestsPath: bundle.outfile,
        extensionTestsEnv: env,
        launchArgs: [...(opts.folder ? [path.resolve(opts.folder)] : []), '--disable-extensions'],
        ...(editor === 'code-server' && { vscodeExecutablePath: VSCODE_SHIM }),
      }).then(
        () => 0,
        (/** @type {unknown} */ err) => {
          say(`the editor run failed: ${err instanceof Error ? err.message : String(err)}`);
          return 1;
        },
      );
  const untrusted =
    opts.extension || opts['suite-dir'] || opts['no-untrusted']
      ? 0
      : editor === 'code-server'
        ? await runUntrusted(extensionDevelopmentPath, env)
        : (say('untrusted workspace pass: code-server only (runTests always passes --disable-workspace-trust)'), 0);
  say(`${code === 0 && untrusted === 0 ? 'PASSED' : 'FAILED'} — editor run ${secs(t)}, total ${secs(t0)}`);
  return code || untrusted;
}

/**
 * The untrusted-workspace pass: its own suite, a fresh code-server with trust on, the fixture folder untrusted.
 * @param {string} extensionDevelopmentPath
 * @param {Record<string, string>} env
 */
async function runUntrusted(extensionDevelopmentPath, env) {
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
