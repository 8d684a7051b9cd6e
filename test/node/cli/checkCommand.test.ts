/**
 * `mcp-secure check <url>` (issue 12, item 2) as a real child process against the fixture servers:
 * the same core report as the editor's, as text or `--json`, exit code 2 when a check fails.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import type { SecurityReport } from '../../../src/core/security/securityReport';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { startWeakServer, type WeakServer } from '../security/support/weakServer';
import { bundleCli, type CliRun, runCli } from './support/cliBundle';

describe('mcp-secure check', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  let demo: DemoServers;
  let weak: WeakServer;

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-check-'));
    demo = await startDemoServers();
    weak = await startWeakServer();
  });
  after(async () => {
    await weak?.close();
    await demo?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[]): Promise<CliRun> => runCli(cli, args);

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
