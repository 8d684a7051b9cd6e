#!/usr/bin/env node
// A stand-in for the VS Code executable, so the same integration suite runs in two worlds:
//
//   * Offline (here, CI without Microsoft's update server): this shim runs the tests in code-server.
//   * With internet: desktop VS Code, downloaded by @vscode/test-electron as usual.
//
// It accepts the command line VS Code's test runners pass to the executable — `--extensionDevelopmentPath`,
// `--extensionTestsPath` (either `--flag=value` or `--flag value`), an optional folder to open,
// `--disable-extensions` (implied: the shim's extensions folder is always fresh) — ignores the rest
// (`--no-sandbox`, `--skip-welcome`, …) and exits with the suite's exit code. Variables whose names start
// with MCP_SECURE_ (e.g. from test-electron's `extensionTestsEnv`) are handed to the extension host.
//
// `npm run test:integration` (runIntegration.mjs) passes this file to @vscode/test-electron's `runTests` as
// `vscodeExecutablePath` when the machine is offline (or MCP_SECURE_EDITOR=code-server); `.vscode-test.mjs`
// does the same for @vscode/test-cli (`useInstallation: { fromPath }`). A second `--extensionDevelopmentPath`
// (desktop VS Code loads several) is packaged with vsce and installed next to the first, because the
// workbench payload takes one development path only. VSCODE_TEST_OPTIONS (@vscode/test-cli's runner) is
// handed to the extension host too. MCP_SECURE_HARNESS_TIMEOUT_MS bounds the run (default 10 minutes).
// Directly: scripts/harness/vscodeShim.mjs --extensionDevelopmentPath=. --extensionTestsPath=out/integration/index.js
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runExtensionTests } from './extensionTests.mjs';
import { packageExtension } from './fixtureExtensions.mjs';
import { REPO_ROOT, ensureHarness } from './setup.mjs';

/**
 * VS Code's CLI arguments, the subset test runners pass. Flags that take a value are declared so that
 * their value is not mistaken for the folder; anything else unknown (`--no-sandbox`, …) is ignored.
 */
const VSCODE_OPTIONS = /** @type {const} */ ({
  extensionDevelopmentPath: { type: 'string', multiple: true },
  extensionTestsPath: { type: 'string' },
  'disable-extensions': { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  'user-data-dir': { type: 'string' },
  'extensions-dir': { type: 'string' },
  locale: { type: 'string' },
  log: { type: 'string' },
  profile: { type: 'string' },
  'crash-reporter-directory': { type: 'string' },
  'inspect-extensions': { type: 'string' },
  'inspect-brk-extensions': { type: 'string' },
  remote: { type: 'string' },
});

/**
 * @param {string[]} argv
 * @returns {{ developmentPaths: string[], extensionTestsPath?: string, folder?: string, version: boolean }}
 */
export function parseVscodeArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: VSCODE_OPTIONS,
    strict: false,
    allowPositionals: true,
  });
  const str = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : undefined);
  const dev = values.extensionDevelopmentPath;
  return {
    developmentPaths: (Array.isArray(dev) ? dev : []).filter((p) => typeof p === 'string'),
    extensionTestsPath: str(values.extensionTestsPath),
    folder: positionals.at(-1),
    version: values.version === true,
  };
}

/** @type {(() => Promise<void>)[]} */
const cleanups = [];
async function main() {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      void Promise.allSettled(cleanups.map((fn) => fn())).then(() => process.exit(130));
    });
  }
  const args = parseVscodeArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write('1.139.1\ncode-server-shim\nx64\n');
    return 0;
  }
  const [extensionDevelopmentPath, ...extraDevelopmentPaths] = args.developmentPaths;
  if (!extensionDevelopmentPath || !args.extensionTestsPath) {
    process.stderr.write('vscodeShim: needs --extensionDevelopmentPath and --extensionTestsPath\n');
    return 2;
  }
  await ensureHarness();
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && (k.startsWith('MCP_SECURE_') || k === 'VSCODE_TEST_OPTIONS')) env[k] = v;
  const extraVsix = [];
  for (const dir of extraDevelopmentPaths)
    extraVsix.push(
      await packageExtension(path.resolve(dir), path.join(REPO_ROOT, 'out', 'fixtures', `${path.basename(dir)}.vsix`)),
    );
  return runExtensionTests({
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(args.extensionTestsPath),
    extraVsix,
    ...(args.folder && { folder: path.resolve(args.folder) }),
    env,
    verbose: Boolean(process.env.MCP_SECURE_HARNESS_VERBOSE),
    // @vscode/test-cli's runner does not tag its output as ours does (test/integration/runner).
    untagged: process.env.VSCODE_TEST_OPTIONS !== undefined,
    ...(process.env.MCP_SECURE_HARNESS_TIMEOUT_MS && { timeoutMs: Number(process.env.MCP_SECURE_HARNESS_TIMEOUT_MS) }),
    defer: (fn) => cleanups.push(fn),
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`vscodeShim: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
