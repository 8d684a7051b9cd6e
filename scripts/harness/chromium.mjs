// The Debian Chromium that the harness (browser.mjs) and the browser-login test fixture drive through
// playwright-core, which downloads no browser of its own: one place for its path and launch flags.

export const CHROMIUM = process.env.MCP_SECURE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for an unattended run in a container: no sandbox or GPU, no first-run, sync or update traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
