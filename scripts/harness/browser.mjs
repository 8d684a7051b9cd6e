// Headless Debian Chromium driven by playwright-core (which downloads no browser of its own).
import { chromium } from 'playwright-core';
import { CHROMIUM } from './setup.mjs';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-breakpad',
  '--disable-crash-reporter',
];

/** Launches Chromium with a fresh persistent profile (SecretStorage in code-server lives in it). */
export async function launchBrowser(profileDir, { viewport = { width: 1600, height: 1000 } } = {}) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: process.env.MCP_SECURE_HEADED ? false : true,
    args: ARGS,
    viewport,
  });
}

/**
 * code-server rewrites every localhost URL an extension opens (`openExternal`, `asExternalUri`) to its
 * own `/proxy/<port>/` route, meant for browsers on another machine. The demo authorization server,
 * reached through that proxy, refuses the request (`invalid_target`). Our browser runs on this machine,
 * so send such navigations straight to the loopback port — what desktop VS Code does.
 */
export async function bypassCodeServerProxy(context, serverUrl) {
  const origin = new URL(serverUrl).origin;
  await context.route(
    (u) => u.origin === origin && /^\/proxy\/\d+\//.test(u.pathname),
    async (route) => {
      const u = new URL(route.request().url());
      const [, port, rest] = /^\/proxy\/(\d+)(\/.*)$/.exec(u.pathname);
      await route.fulfill({ status: 302, headers: { location: `http://127.0.0.1:${port}${rest}${u.search}` } });
    },
  );
}
