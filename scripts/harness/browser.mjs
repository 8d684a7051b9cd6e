// Headless Debian Chromium driven by playwright-core (which downloads no browser of its own).
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

const ARGS = [...CHROMIUM_ARGS, '--disable-breakpad', '--disable-crash-reporter'];

/** Launches Chromium with a fresh persistent profile (SecretStorage in code-server lives in it). */
/** @param {string} profileDir @param {{ viewport?: { width: number, height: number } }} [options] */
export async function launchBrowser(profileDir, { viewport = { width: 1600, height: 1000 } } = {}) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: process.env.MCP_SECURE_HEADED ? false : true,
    args: ARGS,
    viewport,
  });
}
