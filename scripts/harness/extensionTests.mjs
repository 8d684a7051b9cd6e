// Runs an extension test module (VS Code's `extensionTestsPath` contract: a CJS module exporting
// `run(): Promise<void>`) inside code-server's real Node extension host, the way VS Code's own web
// smoke tests do: the server runs with the smoke-test driver, the workbench URL carries the
// development/test paths in its `payload`, and the page reports the result through the exposed
// `codeAutomationExit` / `codeAutomationLog` functions. Shared by runIntegration.mjs and vscodeShim.mjs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { startCodeServer } from './codeServer.mjs';

const say = (/** @type {string} */ msg) => process.stdout.write(`[harness] ${msg}\n`);

/**
 * Builds the workbench URL whose payload makes the workbench run the tests.
 * @param {string} serverUrl
 * @param {{ extensionDevelopmentPath: string, extensionTestsPath: string, folder?: string, env?: Record<string, string> }} paths
 */
export function testWorkbenchUrl(serverUrl, { extensionDevelopmentPath, extensionTestsPath, folder, env }) {
  const base = new URL(serverUrl);
  const remote = (/** @type {string} */ p) => `vscode-remote://${base.host}${path.resolve(p)}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
    ['extensionTestsPath', remote(extensionTestsPath)],
    ['skipWelcome', 'true'],
    ['extensionEnvironment', JSON.stringify({ ...env, MCP_SECURE_HARNESS: 'code-server' })],
  ];
  const url = new URL(base);
  if (folder) url.searchParams.set('folder', path.resolve(folder));
  url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/**
 * Runs the tests; resolves with the exit code the test module reported (0 pass, 1 fail), or 1 on
 * timeout. Always tears down the browser and the server. `workspaceTrust`: run with workspace trust
 * enabled, so `folder` opens untrusted (Restricted Mode).
 * @param {{ extensionDevelopmentPath: string, extensionTestsPath: string, extraVsix?: string[], folder?: string,
 *   env?: Record<string,string>, timeoutMs?: number, verbose?: boolean, untagged?: boolean, workspaceTrust?: boolean,
 *   defer?: (cleanup: () => Promise<void>) => void }} opts   defer: register teardown for Ctrl+C; untagged: print
 *   the workbench's console even without the runner's tag (another runner, e.g. @vscode/test-cli's, does not tag)
 */
export async function runExtensionTests(opts) {
  for (const p of [opts.extensionDevelopmentPath, opts.extensionTestsPath]) {
    if (!existsSync(p)) throw new Error(`not found: ${p}`);
  }
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const started = Date.now();
  /** @type {string[]} */
  const serverLog = [];
  const server = await startCodeServer({
    smokeTestDriver: true,
    extraVsix: opts.extraVsix,
    workspaceTrust: opts.workspaceTrust,
    log: (line) => {
      serverLog.push(line);
      if (opts.verbose) say(`[code-server] ${line}`);
    },
  });
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  opts.defer?.(async () => {
    await context?.close().catch(() => {});
    await server.stop();
  });
  try {
    say(`code-server ${server.url} healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    context = await launchBrowser(server.scratch.browserProfile);
    const page = context.pages()[0] ?? (await context.newPage());
    /** @type {(code: number) => void} */
    let settle = () => {};
    let sawTestOutput = false;
    /** @type {Promise<number>} */
    const result = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ level, /** @type {unknown} */ args) => {
      if (printLog(level, args, opts.verbose || opts.untagged)) sawTestOutput = true;
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {unknown} */ code) => settle(Number(code) || 0));
    page.on('crash', () => settle(fail('the workbench page crashed')));
    if (opts.verbose) page.on('console', (m) => say(`[page:${m.type()}] ${m.text()}`));
    const url = testWorkbenchUrl(server.url, {
      ...opts,
      folder: opts.folder ?? server.scratch.workspace,
    });
    await page.goto(url);
    const timer = setTimeout(() => settle(fail(`no result within ${timeoutMs / 1000} s`)), timeoutMs);
    const code = await result;
    clearTimeout(timer);
    say(`extension tests exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code !== 0 && !opts.verbose && !sawTestOutput)
      say(`last code-server output:\n${serverLog.slice(-30).join('\n')}`);
    return code;
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
  }
}

/** @param {string} reason */
function fail(reason) {
  say(`FAILED: ${reason}`);
  return 1;
}

/**
 * The workbench's console arrives here as (level, args[]): the extension host's console (mocha's
 * reporter, the tests, the extension) mixed with the workbench's own chatter (offline gallery errors…).
 * The runner (test/integration/runner) tags extension-host console calls with EXT_HOST_MARK while
 * MCP_SECURE_HARNESS is set; only those are printed unless verbose.
 */
export const EXT_HOST_MARK = '\u001e';
/** @param {string} level @param {unknown} args @param {boolean | undefined} verbose */
function printLog(level, args, verbose) {
  const list = Array.isArray(args) ? [...args] : [args];
  const marked = list[0] === EXT_HOST_MARK;
  if (marked) list.shift();
  else if (!verbose) return false;
  const text = format(...list);
  (level === 'error' ? process.stderr : process.stdout).write(`${marked || !verbose ? '' : '[workbench] '}${text}\n`);
  return marked;
}
