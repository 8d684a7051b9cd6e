#!/usr/bin/env node
// `npm run demo`: the extension in a real editor against local demo servers, in one command.
//   1. builds and packages the extension (dist/mcp-secure-connections.vsix);
//   2. starts the demo authorization server, the HTTP MCP server (tickets scopes) and prepares the stdio
//      MCP server (shared secret) — test/fixtures/demoServers.ts — on fixed ports;
//   3. opens an editor with the extension and those servers preconfigured in its user settings:
//      desktop VS Code when `code` is on PATH (`code --extensionDevelopmentPath`), else code-server in
//      the browser (installed by scripts/harness/setup.mjs into .cache/harness/);
//   4. prints the editor URL and the demo login, and runs until Ctrl+C (then stops everything).
// Options: --auth-port N (default 7400), --http-port N (7401), --editor-port N (7402),
//          --code-server (even when `code` exists), --skip-build.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeScratch, startCodeServer, BASE_SETTINGS } from './harness/codeServer.mjs';
import { startDemoServersProcess } from './harness/demoServers.mjs';
import { createTeardown, npmRun } from './harness/lifecycle.mjs';
import { startLoopbackRedirector } from './harness/loopbackRedirector.mjs';
import { DEMO_HTTP_SERVER, DEMO_STDIO_SERVER, demoServerSettings } from './harness/demoSettings.mjs';
import { REPO_ROOT, ensureHarness } from './harness/setup.mjs';

const VSIX = path.join(REPO_ROOT, 'dist', 'mcp-secure-connections.vsix');
const say = (/** @type {string} */ msg) => process.stdout.write(`[demo] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    'auth-port': { type: 'string', default: process.env.MCP_SECURE_DEMO_AUTH_PORT ?? '7400' },
    'http-port': { type: 'string', default: process.env.MCP_SECURE_DEMO_HTTP_PORT ?? '7401' },
    'editor-port': { type: 'string', default: process.env.MCP_SECURE_DEMO_EDITOR_PORT ?? '7402' },
    'code-server': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
  },
});

const { cleanups, finish, isFinishing } = createTeardown({
  say,
  signals: ['SIGINT', 'SIGTERM', 'SIGHUP'],
  signalExitCode: 0,
  announce: true,
});

function hasDesktopCode() {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', ['code'], { stdio: 'ignore' }).status === 0;
}

/** A workspace with the demo servers in .vscode/mcp.json too, so "Import Servers" has something to import. */
/** @param {string} dir @param {import('./harness/demoServers.mjs').DemoServers} demo */
async function writeDemoWorkspace(dir, demo) {
  await mkdir(path.join(dir, '.vscode'), { recursive: true });
  const mcp = { servers: { [DEMO_HTTP_SERVER.id]: { type: 'http', url: demo.httpMcpUrl } } };
  await writeFile(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify(mcp, null, 2));
  await writeFile(
    path.join(dir, 'README.md'),
    '# MCP Secure demo workspace\n\nOpen the MCP Secure side bar, sign in from the Accounts menu, then run "MCP Secure: Connect".\n',
  );
}

/** Desktop VS Code with the extension under development, in its own profile folder; exits with the window. */
/** @param {import('./harness/codeServer.mjs').Scratch} scratch @param {Record<string, unknown>} settings */
async function openDesktop(scratch, settings) {
  await mkdir(path.join(scratch.userData, 'User'), { recursive: true });
  await writeFile(
    path.join(scratch.userData, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2),
  );
  const args = [
    '--new-window',
    '--wait',
    `--extensionDevelopmentPath=${REPO_ROOT}`,
    '--user-data-dir',
    scratch.userData,
    '--extensions-dir',
    scratch.extensions,
    scratch.workspace,
  ];
  const child = spawn('code', args, { stdio: 'inherit', shell: process.platform === 'win32' });
  cleanups.push(async () => void (child.exitCode === null && child.kill()));
  child.on('exit', () => void finish(0));
  say('desktop VS Code opened (close its window or press Ctrl+C to stop).');
}

async function main() {
  const desktop = !opts['code-server'] && hasDesktopCode();
  if (!opts['skip-build']) {
    await npmRun('build');
    if (!desktop) await npmRun('package');
  }
  if (!desktop) await ensureHarness();
  const demo = await startDemoServersProcess({
    authPort: Number(opts['auth-port']),
    httpPort: Number(opts['http-port']),
    log: (l) => say(`[servers] ${l}`),
  });
  cleanups.push(() => demo.close());
  const settings = demoServerSettings(demo);
  const scratch = await makeScratch('mcs-demo-');
  await writeDemoWorkspace(scratch.workspace, demo);

  let editorUrl = 'desktop VS Code window';
  if (desktop) {
    await openDesktop(scratch, settings);
  } else {
    // Sign-in tabs go straight to the local authorization server, not through code-server's /proxy/ route.
    const redirector = await startLoopbackRedirector();
    cleanups.push(() => redirector.close());
    const server = await startCodeServer({
      scratch,
      vsix: VSIX,
      settings,
      port: Number(opts['editor-port']),
      proxyUri: redirector.proxyUri,
    });
    cleanups.push(() => server.stop());
    server.process.once('exit', (code) => {
      if (!isFinishing()) say(`code-server exited unexpectedly (${code})`);
      void finish(1);
    });
    editorUrl = `${server.url}?folder=${encodeURIComponent(scratch.workspace)}`;
  }
  const user = demo.users[0];
  if (!user) throw new Error('the demo authorization server has no user');
  process.stdout.write(`
  MCP Secure Connections demo is running.

    Editor:                 ${editorUrl}
    Authorization server:   ${demo.issuer}
    HTTP MCP server:        ${demo.httpMcpUrl}   ("${DEMO_HTTP_SERVER.name}", scopes tickets:read tickets:write)
    stdio MCP server:       "${DEMO_STDIO_SERVER.name}" (shared secret in ${demo.stdio.secretEnvVar})
    Demo login:             ${user.username} / ${user.password}

  In the editor: open the MCP Secure side bar, then Accounts menu -> "Sign in with MCP Secure Connections",
  log in with the demo login, and run "MCP Secure: Connect" from the command palette (F1).
  Press Ctrl+C to stop everything.
`);
  await new Promise(() => {}); // until a signal
}

main().catch((err) => {
  say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  void finish(1);
});
