// Starts and stops a code-server (VS Code OSS as a server) on 127.0.0.1 for tests, the UI walk-through
// and the demo. Everything it writes lives in one scratch folder with short paths (unix socket paths must
// stay < 108 bytes): user data, extensions, XDG config/data and TMPDIR, so nothing lands in $HOME or
// leaves sockets in the system temp folder. The server runs in its own process group and is torn down
// as a group, so its extension host, pty host and file watcher go with it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CODE_SERVER_ENTRY, NODE24 } from './setup.mjs';

/** User settings for a quiet, offline, deterministic workbench. */
export const BASE_SETTINGS = Object.freeze({
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.layoutControl.enabled': false,
});

/**
 * Workspace trust as a user has it by default: enabled, and a folder not yet trusted opens in
 * Restricted Mode. The startup modal is turned off so the workbench can load unattended (the folder
 * stays untrusted; nothing answers the prompt for the user).
 */
export const TRUST_SETTINGS = Object.freeze({
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
});

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = /** @type {net.AddressInfo} */ (srv.address());
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * @typedef {{ root: string, userData: string, extensions: string, xdgConfig: string, xdgData: string, tmp: string,
 *   browserProfile: string, workspace: string }} Scratch
 * @typedef {{ settings?: Record<string, unknown>, smokeTestDriver?: boolean, vsix?: string, extraVsix?: string[],
 *   proxyUri?: string, port?: number, env?: Record<string, string>, log?: (line: string) => void, scratch?: Scratch,
 *   keepScratch?: boolean, healthTimeoutMs?: number, workspaceTrust?: boolean }} CodeServerOptions
 */

/** Creates the scratch folder layout; returns its paths. @returns {Promise<Scratch>} */
export async function makeScratch(prefix = 'mcs-') {
  // os.tmpdir() is short on Linux (/tmp); fall back to /tmp when TMPDIR is deep.
  const base = os.tmpdir().length <= 20 ? os.tmpdir() : '/tmp';
  const root = await mkdtemp(path.join(base, prefix));
  const dirs = {
    root,
    userData: path.join(root, 'u'),
    extensions: path.join(root, 'e'),
    xdgConfig: path.join(root, 'xc'),
    xdgData: path.join(root, 'xd'),
    tmp: path.join(root, 't'),
    browserProfile: path.join(root, 'b'),
    workspace: path.join(root, 'w'),
  };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  return dirs;
}

/** @param {Scratch} scratch @param {Record<string, string>} [extra] @returns {NodeJS.ProcessEnv} */
function serverEnv(scratch, extra) {
  const env = { ...process.env, ...extra };
  // Never let the harness' own npm/test context leak into the editor's processes.
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'VSCODE_IPC_HOOK_CLI') delete env[k];
  return {
    ...env,
    XDG_CONFIG_HOME: scratch.xdgConfig,
    XDG_DATA_HOME: scratch.xdgData,
    XDG_RUNTIME_DIR: scratch.tmp,
    TMPDIR: scratch.tmp,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

/** @param {Scratch} scratch */
function commonArgs(scratch) {
  return ['--user-data-dir', scratch.userData, '--extensions-dir', scratch.extensions];
}

/** Installs a `.vsix` into the scratch extensions folder (offline, ~1 s). @param {Scratch} scratch @param {string} vsix */
export async function installExtension(scratch, vsix) {
  await runToEnd(
    NODE24,
    [CODE_SERVER_ENTRY, ...commonArgs(scratch), '--install-extension', vsix, '--force'],
    serverEnv(scratch),
  );
}

/** @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} env @returns {Promise<string>} */
function runToEnd(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(cmd)} ${args.slice(1).join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/** @param {string} url @param {import('node:child_process').ChildProcess} child @param {number} timeoutMs */
async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('code-server exited before it became healthy');
    try {
      const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`code-server at ${url} not healthy within ${timeoutMs} ms`);
}

/**
 * Starts code-server. Options: `settings` (merged over BASE_SETTINGS), `smokeTestDriver` (adds
 * `--vscode-option enable-smoke-test-driver`, needed for extension tests; it also suppresses toasts),
 * `vsix` (installed before start), `extraVsix` (more to install: test-only fixture extensions), `proxyUri` (VSCODE_PROXY_URI, see loopbackRedirector.mjs), `port` (default: a free one), `env` (extra environment for the
 * server and hence the extension host), `log` (line sink for server output), `scratch` (reuse a layout),
 * `workspaceTrust` (trust enabled: TRUST_SETTINGS, and no `--disable-workspace-trust`).
 * @param {CodeServerOptions} [opts]
 */
export async function startCodeServer(opts = {}) {
  const scratch = opts.scratch ?? (await makeScratch());
  const settingsDir = path.join(scratch.userData, 'User');
  await mkdir(settingsDir, { recursive: true });
  await writeFile(
    path.join(settingsDir, 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...(opts.workspaceTrust && TRUST_SETTINGS), ...opts.settings }, null, 2),
  );
  for (const vsix of [opts.vsix, ...(opts.extraVsix ?? [])]) if (vsix) await installExtension(scratch, vsix);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}/`;
  const configFile = path.join(scratch.root, 'config.yaml');
  await writeFile(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    ...commonArgs(scratch),
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '60',
    '--config',
    configFile,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  // `proxyUri`: where code-server maps localhost URLs that extensions open (see loopbackRedirector.mjs).
  /** @type {Record<string, string>} */
  const proxyEnv = opts.proxyUri ? { VSCODE_PROXY_URI: opts.proxyUri } : {};
  const child = spawn(NODE24, args, {
    env: serverEnv(scratch, { ...proxyEnv, ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  live.set(pid, opts.keepScratch ? undefined : scratch.root);
  child.once('exit', () => live.delete(pid));
  const sink = opts.log ?? (() => {});
  let tail = '';
  const onData = (/** @type {Buffer} */ d) => {
    const text = String(d);
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) sink(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () => (stopping ??= stopGroup(child, pid, scratch, Boolean(opts.keepScratch)));
  try {
    await waitHealthy(url, child, opts.healthTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : err}\n--- code-server output ---\n${tail}`, { cause: err });
  }
  return { url, port, scratch, process: child, stop };
}

/** Servers still running (pid -> scratch folder to remove), killed synchronously if this process exits. */
/** @type {Map<number, string | undefined>} */
const live = new Map();
process.on('exit', () => {
  for (const [pid, root] of live) {
    killGroup(pid, 'SIGKILL');
    if (root) rmSync(root, { recursive: true, force: true });
  }
});

/** SIGTERM to the whole process group, SIGKILL after a grace period, then remove the scratch folder. */
/**
 * @param {import('node:child_process').ChildProcess} child @param {number} pid @param {Scratch} scratch
 * @param {boolean} keepScratch
 */
async function stopGroup(child, pid, scratch, keepScratch) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  // Children that outlived the leader (extension host, watchers) share its process group.
  killGroup(pid, 'SIGKILL');
  if (!keepScratch) await rm(scratch.root, { recursive: true, force: true, maxRetries: 3 });
}

/** @param {number} pid @param {NodeJS.Signals} signal */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
