/**
 * `mcp-secure check <url>` (issue 12, item 2) as a real child process against the fixture servers:
 * the same core report as the editor's, as text or `--json`, exit code 2 when a check fails.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { SecurityReport } from '../../../src/core/security/securityReport';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { startWeakServer, type WeakServer } from '../security/support/weakServer';

interface Run { code: number | null; stdout: string; stderr: string }

describe('mcp-secure check', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  let demo: DemoServers;
  let weak: WeakServer;

  before(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'mcp-secure-check-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    demo = await startDemoServers();
    weak = await startWeakServer();
  });
  after(async () => {
    await weak?.close();
    await demo?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function run(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('prints the JSON report of a well-configured server and exits 0', async () => {
    const r = await run(['check', demo.httpMcpUrl, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as SecurityReport;
    assert.equal(report.serverUrl, demo.httpMcpUrl);
    assert.equal(report.counts.failed, 0);
    assert.equal(report.findings.find((f) => f.id === 'pkce')?.verdict, 'pass');
  });

  it('prints a readable report of a weak server and exits 2', async () => {
    const r = await run(['check', weak.mcpUrl]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^\[FAIL\] PKCE S256: /m);
    assert.match(r.stdout, /^\[WARN\] Revocation endpoint: /m);
    assert.match(r.stdout, /what to do: Advertise code_challenge_methods_supported/);
  });

  it('refuses a stdio target', async () => {
    const r = await run(['check', '--stdio', '--', 'node', 'server.js']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /check applies to HTTP servers only/);
  });
});
