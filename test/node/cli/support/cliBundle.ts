import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

/** What a CLI child process left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Bundles the CLI exactly as `npm run build` bundles it into a fresh temporary folder (`prefix` names
 * it), so the tests run the real program as a child process. The caller removes `dir`.
 */
export async function bundleCli(prefix: string): Promise<{ dir: string; cli: string }> {
  const dir = await fs.mkdtemp(join(tmpdir(), prefix));
  const cli = join(dir, 'cli.js');
  await esbuild.build({
    entryPoints: ['src/cli/main.ts'],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return { dir, cli };
}

/** Runs the bundled CLI with `args` (and extra environment) as a real child process until it exits. */
export function runCli(cli: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runNodeScript(cli, args, env);
}

/** Runs `script` under this Node with `args` (and extra environment) as a real child process until it exits. */
export function runNodeScript(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CLI sign-in in progress: the process, its end, and the authorization URL it prints for the browser. */
export interface CliSignIn {
  child: ChildProcess;
  done: Promise<CliRun>;
  authorizationUrl: () => Promise<URL>;
}

/**
 * Starts the bundled CLI with `args` and no browser (`BROWSER` empty), so that a sign-in prints its
 * loopback authorization URL on stderr (RFC 8252 §7.3) for the test to complete.
 */
export function startCliSignIn(cli: string, args: readonly string[], env: Record<string, string>): CliSignIn {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, BROWSER: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const urlWaiters: ((u: URL) => void)[] = [];
  let seenUrl: URL | undefined;
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
    const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stderr);
    if (m && !seenUrl) {
      seenUrl = new URL(m[1] as string);
      for (const w of urlWaiters.splice(0)) w(seenUrl);
    }
  });
  const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const authorizationUrl = (): Promise<URL> =>
    new Promise((resolve, reject) => {
      if (seenUrl) return resolve(seenUrl);
      urlWaiters.push(resolve);
      void done.then((r) =>
        reject(new Error(`the CLI exited (${r.code}) without printing an authorization URL: ${r.stderr}`)),
      );
    });
  return { child, done, authorizationUrl };
}
