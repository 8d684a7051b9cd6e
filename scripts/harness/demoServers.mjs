// Starts the demo servers (test/fixtures/demoServers.ts) in a tsx child process and hands back their
// URLs. The child exits when we close its stdin, so it cannot outlive the harness.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NODE24, REPO_ROOT } from './setup.mjs';

export const DEMO_SERVERS_TS = path.join(REPO_ROOT, 'test', 'fixtures', 'demoServers.ts');
const READY = 'MCP_SECURE_DEMO_READY ';
// oidc-provider wants Node >= 22: use the harness' own Node 24 (installed by ensureHarness before any run)
// when it is there, else ours (oidc-provider then warns but works on Node 20).
const FIXTURE_NODE = existsSync(NODE24) ? NODE24 : process.execPath;

/**
 * @typedef {{ issuer: string, httpMcpUrl: string, httpResource: string,
 *   stdio: { command: string, args: string[], secretEnvVar: string },
 *   users: { username: string, password: string }[], env: Record<string, string>, close: () => Promise<void> }} DemoServers
 */

/**
 * @param {{ authPort?: number, httpPort?: number, log?: (line: string) => void, timeoutMs?: number }} [opts]
 * @returns {Promise<DemoServers>}
 */
export async function startDemoServersProcess(opts = {}) {
  if (!existsSync(DEMO_SERVERS_TS))
    throw new Error(`missing ${path.relative(REPO_ROOT, DEMO_SERVERS_TS)} (AS fixtures)`);
  const args = ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'harness', 'demoServersChild.ts')];
  if (opts.authPort) args.push('--auth-port', String(opts.authPort));
  if (opts.httpPort) args.push('--http-port', String(opts.httpPort));
  const child = spawn(FIXTURE_NODE, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const log = opts.log ?? (() => {});
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    for (const line of String(d).split('\n')) if (line.trim()) log(line);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Belt and braces: the child also stops when its stdin closes with us.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error('demo servers not ready within timeout')),
      opts.timeoutMs ?? 60_000,
    );
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith(READY)) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(READY.length)));
        } else if (line.trim()) log(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo servers exited (${code}) before ready:\n${stderr}`));
    });
  }).catch(async (err) => {
    await close();
    throw err;
  });
  return { ...info, close };
}

/** The extension-host environment the integration suite reads (MCP_SECURE_TEST_*; from the fixture's demoEnvironment). */
/** @param {DemoServers} demo @returns {Record<string, string>} */
export function testEnvironment(demo) {
  return { ...demo.env };
}
