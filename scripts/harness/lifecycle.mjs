// What every harness entry point (integration run, UI walk-through, demo) shares: npm scripts run from
// the repo, and one teardown that runs the registered cleanups once, in reverse order, on exit or signal.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './setup.mjs';

/** Runs an npm script of the repo; rejects when it exits non-zero. @param {string} script @returns {Promise<void>} */
export function npmRun(script) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run ${script} exited ${code}`))));
  });
}

/**
 * `cleanups` takes async functions (servers, browsers, temp dirs); `finish(code)` runs them once, newest
 * first, and exits. The given signals finish with `signalExitCode`.
 * @param {{ say: (msg: string) => void, signals?: NodeJS.Signals[], signalExitCode?: number, announce?: boolean }} options
 */
export function createTeardown({ say, signals = ['SIGINT', 'SIGTERM'], signalExitCode = 130, announce = false }) {
  /** @type {(() => Promise<unknown>)[]} */
  const cleanups = [];
  let finishing = false;
  /** @param {number} code */
  async function finish(code) {
    if (finishing) return;
    finishing = true;
    if (announce) say('stopping …');
    for (const fn of cleanups.reverse())
      await fn().catch((/** @type {unknown} */ err) =>
        say(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    if (announce) say('stopped.');
    process.exit(code);
  }
  for (const sig of signals) process.on(sig, () => void finish(signalExitCode));
  return { cleanups, finish, isFinishing: () => finishing };
}
