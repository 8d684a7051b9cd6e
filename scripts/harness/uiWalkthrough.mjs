#!/usr/bin/env node
// `npm run test:ui`: the UI walk-through. Packages the extension (`npm run package` -> .vsix), installs it
// into a fresh code-server started WITHOUT the smoke-test driver (a normal editor: toasts, dialogs),
// starts the demo servers and preconfigures them in the user settings, then drives the workbench in
// headless Chromium as a user (test/ui/walkthrough.ts) and saves screenshots under `screenshots/`.
// Exits 0 when every step passed. Options: --skip-build (reuse dist/*.vsix), --verbose, --timeout <s>.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { launchBrowser } from './browser.mjs';
import { createTeardown, npmRun } from './lifecycle.mjs';
import { makeScratch, startCodeServer } from './codeServer.mjs';
import { scratchHome, writeImportSamples } from './importSamples.mjs';
import { startLoopbackRedirector } from './loopbackRedirector.mjs';
import { startDemoServersProcess } from './demoServers.mjs';
import { DEMO_HTTP_SERVER, demoServerSettings } from './demoSettings.mjs';
import { packageChatParticipant } from './fixtureExtensions.mjs';
import { REPO_ROOT, ensureHarness } from './setup.mjs';

export const VSIX = path.join(REPO_ROOT, 'dist', 'mcp-secure-connections.vsix');
export const SCREENSHOTS = path.join(REPO_ROOT, 'screenshots');
const say = (/** @type {string} */ msg) => process.stdout.write(`[test:ui] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    'skip-build': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
  },
});

const { cleanups, finish } = createTeardown({ say });

async function main() {
  const t0 = Date.now();
  const secs = (/** @type {number} */ t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  setTimeout(
    () => {
      say(`FAILED: global timeout of ${opts.timeout} s reached`);
      void finish(1);
    },
    Number(opts.timeout) * 1000,
  ).unref();

  await ensureHarness();
  if (!opts['skip-build']) {
    await npmRun('build');
    await npmRun('package');
  }
  if (!existsSync(VSIX)) throw new Error(`no ${path.relative(REPO_ROOT, VSIX)} — did \`npm run package\` succeed?`);

  const demo = await startDemoServersProcess({ log: (l) => opts.verbose && say(`[demo] ${l}`) });
  cleanups.push(() => demo.close());
  say(`demo servers: issuer ${demo.issuer}, MCP ${demo.httpMcpUrl}`);

  const redirector = await startLoopbackRedirector();
  cleanups.push(() => redirector.close());
  // Other MCP clients' files for the import steps; the editor's HOME is a scratch folder holding them.
  const scratch = await makeScratch();
  await writeImportSamples(scratch);
  const server = await startCodeServer({
    scratch,
    env: { HOME: scratchHome(scratch) },
    vsix: VSIX,
    // Test-only: a chat participant + fake model for the gateway steps (not part of the .vsix).
    extraVsix: [await packageChatParticipant()],
    proxyUri: redirector.proxyUri,
    settings: demoServerSettings(demo),
    keepScratch: Boolean(process.env.MCP_SECURE_KEEP_SCRATCH),
    log: (l) => opts.verbose && say(`[code-server] ${l}`),
  });
  cleanups.push(() => server.stop());
  say(`code-server ${server.url} with ${path.basename(VSIX)} installed (${secs(t0)})`);

  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
  const context = await launchBrowser(server.scratch.browserProfile);
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  if (opts.verbose) page.on('console', (m) => m.type() === 'error' && say(`[page:error] ${m.text()}`));

  /** @type {typeof import('../../test/ui/walkthrough')} */
  const { runWalkthrough } = await tsImport(
    pathToFileURL(path.join(REPO_ROOT, 'test', 'ui', 'walkthrough.ts')).href,
    import.meta.url,
  );
  const workbenchUrl = `${server.url}?folder=${encodeURIComponent(server.scratch.workspace)}`;
  const t = Date.now();
  const user = demo.users[0];
  if (!user) throw new Error('the demo authorization server has no user');
  const results = await runWalkthrough({
    context,
    page,
    workbenchUrl,
    screenshotsDir: SCREENSHOTS,
    user,
    httpServerName: DEMO_HTTP_SERVER.name,
    log: say,
    httpServerId: DEMO_HTTP_SERVER.id,
  });
  const failed = results.filter((r) => !r.ok);
  const shots = (await readdir(SCREENSHOTS)).filter((f) => f.endsWith('.png')).sort();
  say(`screenshots (${path.relative(REPO_ROOT, SCREENSHOTS)}/): ${shots.join(', ')}`);
  say(
    `${failed.length === 0 ? 'PASSED' : 'FAILED'} — ${results.filter((r) => r.ok).length}/${results.length} steps, walk-through ${secs(t)}, total ${secs(t0)}`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => finish(code),
  (err) => {
    say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    void finish(1);
  },
);
