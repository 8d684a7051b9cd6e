import { spawn } from 'node:child_process';
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
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
