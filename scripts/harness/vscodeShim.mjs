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
// With @vscode/test-electron (2.5.x on Node 20, 3.x on Node ≥ 22):
//   import { runTests } from '@vscode/test-electron';
//   await runTests({
//     extensionDevelopmentPath: repoRoot,
//     extensionTestsPath: `${repoRoot}/out/integration/index.js`,   // node scripts/harness/bundleIntegration.mjs
//     extensionTestsEnv: { MCP_SECURE_TEST_ISSUER: '…', … },
//     ...(process.env.MCP_SECURE_VSCODE_SHIM && { vscodeExecutablePath: `${repoRoot}/scripts/harness/vscodeShim.mjs` }),
//   });
// With @vscode/test-cli: `useInstallation: { fromPath: 'scripts/harness/vscodeShim.mjs' }`.
// Leave MCP_SECURE_VSCODE_SHIM unset on a machine with internet and the same suite runs in desktop VS Code.
// Directly: scripts/harness/vscodeShim.mjs --extensionDevelopmentPath=. --extensionTestsPath=out/integration/index.js
import path from 'node:path';
import { runExtensionTests } from './extensionTests.mjs';
import { ensureHarness } from './setup.mjs';

/** Flags of the VS Code CLI that take a separate value we must skip over. */
const VALUE_FLAGS = new Set([
  '--user-data-dir',
  '--extensions-dir',
  '--locale',
  '--log',
  '--profile',
  '--crash-reporter-directory',
  '--inspect-extensions',
  '--inspect-brk-extensions',
  '--remote',
]);

/** Parses VS Code's CLI arguments (the subset test runners use). */
function parseVscodeArgs(argv) {
  const out = {
    extensionDevelopmentPath: undefined,
    extensionTestsPath: undefined,
    folder: undefined,
    disableExtensions: false,
    version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--extensionDevelopmentPath') out.extensionDevelopmentPath ??= value();
    else if (flag === '--extensionTestsPath') out.extensionTestsPath = value();
    else if (flag === '--disable-extensions') out.disableExtensions = true;
    else if (flag === '--version' || flag === '-v') out.version = true;
    else if (VALUE_FLAGS.has(flag) && inline === undefined) i++;
    else if (!flag.startsWith('-')) out.folder = arg;
  }
  return out;
}

const cleanups = [];
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void Promise.allSettled(cleanups.map((fn) => fn())).then(() => process.exit(130));
  });
}

async function main() {
  const args = parseVscodeArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write('1.139.1\ncode-server-shim\nx64\n');
    return 0;
  }
  if (!args.extensionDevelopmentPath || !args.extensionTestsPath) {
    process.stderr.write('vscodeShim: needs --extensionDevelopmentPath and --extensionTestsPath\n');
    return 2;
  }
  await ensureHarness();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => k.startsWith('MCP_SECURE_') && v !== undefined),
  );
  return runExtensionTests({
    extensionDevelopmentPath: path.resolve(args.extensionDevelopmentPath),
    extensionTestsPath: path.resolve(args.extensionTestsPath),
    folder: args.folder && path.resolve(args.folder),
    env,
    verbose: Boolean(process.env.MCP_SECURE_HARNESS_VERBOSE),
    defer: (fn) => cleanups.push(fn),
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`vscodeShim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
