import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import type { Lease, ProgressRun } from '../../../src/vscode/testSeams';
import { readEvents } from '../../fixtures/mcp/eventLog';
import { activatedApi, flatten, requireFixtures, serverEntries, setServers, waitFor, type Fixtures } from './helpers';

/**
 * Issue 11, protocol gaps, in the real editor: a stdio server that speaks only the stateless 2026-07-28
 * wire (its shared secret checked in `_meta`), and Call Tool's progress notification with a Cancel that
 * reaches the server as `notifications/cancelled`. Each server here has this suite's own launch spec.
 */
describe('stdio on the 2026-07-28 wire; Call Tool progress and Cancel (extension)', () => {
  let api: McpSecureApi;
  let f: Fixtures;
  let dir: string;
  let launches: Lease;
  const ids = { modern: 'it-pg-modern', modernDefault: 'it-pg-modern-default', progress: 'it-pg-progress' };
  const logs = { modern: '', progress: '' };

  before(async () => {
    f = requireFixtures();
    api = await activatedApi();
    dir = mkdtempSync(join(tmpdir(), 'it-protocol-gaps-'));
    logs.modern = join(dir, 'modern.jsonl');
    logs.progress = join(dir, 'progress.jsonl');
    const modernArgs = [join(dirname(f.stdio.args[0] ?? ''), 'modernStdioServer.mjs')];
    await setServers([
      ...serverEntries(f),
      {
        id: ids.modern,
        name: 'Modern Notes',
        transport: 'stdio',
        command: f.stdio.command,
        args: modernArgs,
        protocol: '2026-07-28',
        env: { MCP_FIXTURE_EVENT_LOG: logs.modern, MCP_FIXTURE_RECORD_SECRET: '1' },
      },
      { id: ids.modernDefault, name: 'Modern Default', transport: 'stdio', command: f.stdio.command, args: modernArgs },
      {
        id: ids.progress,
        name: 'Progress Notes',
        transport: 'stdio',
        command: f.stdio.command,
        args: f.stdio.args,
        env: { MCP_FIXTURE_PROGRESS_TOOLS: '1', MCP_FIXTURE_EVENT_LOG: logs.progress },
      },
    ]);
    await waitFor(
      () => Object.values(ids).every((id) => api.servers().some((s) => s.id === id)),
      "the suite's servers",
    );
    // Their first launch is allowed here as the user would in the modal.
    launches = api.useLaunchConfirmer(async (def) => Object.values(ids).includes(def.id));
  });

  after(async () => {
    launches.dispose();
    for (const id of Object.values(ids)) await api.disconnect(id).catch(() => undefined);
    await setServers(serverEntries(f));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a stdio server with protocol 2026-07-28 runs on the stateless wire; its secret reaches it in _meta and nowhere the editor shows', async () => {
    const state = await api.connect(ids.modern);
    assert.equal(state.kind, 'running');
    assert.equal(state.kind === 'running' && state.protocolVersion, '2026-07-28');
    const result = await api.callTool(ids.modern, 'echo', { text: 'stateless hello' });
    assert.deepEqual(result.content, [{ type: 'text', text: 'stateless hello' }]);
    const secret = readEvents(logs.modern).find((e) => e.event === 'secret')?.value;
    assert.ok(secret && secret.length >= 43, 'the server received the 256-bit secret in _meta');
    const records = (await api.auditRecords()).filter((r) => r.what.server.id === ids.modern);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.outcome.kind, 'success');
    const shown = JSON.stringify(records) + flatten(await api.tree()).join('\n');
    assert.ok(!shown.includes(secret), 'the secret is in no audit record and not in the tree');
  });

  it('the default wire (2025-11-25) against a modern-only server ends in an error naming protocol 2026-07-28', async () => {
    await assert.rejects(api.connect(ids.modernDefault), (e: Error) => e.message.includes('2026-07-28'));
    const state = api.state(ids.modernDefault);
    assert.equal(state.kind === 'error' && state.code, 'protocol_mismatch');
    const tree = flatten(await api.tree()).join('\n');
    assert.match(tree, /speaks only the 2026-07-28 protocol/, tree);
  });

  it("Call Tool shows the server's progress; Cancel sends notifications/cancelled; one audit record, cancelled", async () => {
    const runs: ProgressRun[] = [];
    const leases = [
      api.useConfirmation('callTool', async (r) => r.serverId === ids.progress),
      api.useProgress((run) => runs.push(run)),
    ];
    try {
      const command = Promise.resolve(
        vscode.commands.executeCommand('mcpSecure.callTool', ids.progress, 'wait_for_cancel', { steps: 2 }),
      );
      command.catch(() => undefined);
      const run = await waitFor(
        () => runs.find((r) => r.title.includes('wait_for_cancel') && r.reports.length >= 2),
        'two progress reports in the Call Tool notification',
      );
      assert.deepEqual(run.reports, [
        { message: 'step 1 of 4 (25%)', increment: 25 },
        { message: 'step 2 of 4 (50%)', increment: 25 },
      ]);
      run.cancel();
      // Cancel is the user's choice: the command resolves to undefined (no error) once the request is aborted
      assert.equal(await command, undefined);
    } finally {
      leases.forEach((l) => l.dispose());
    }
    const events = await waitFor(() => {
      const es = readEvents(logs.progress);
      return es.some((e) => e.event === 'cancelled') ? es : undefined;
    }, 'notifications/cancelled at the server');
    const call = events.find((e) => e.event === 'call');
    assert.ok(call?.progressToken !== null && call?.progressToken !== undefined, 'the call carried a progress token');
    assert.equal(events.find((e) => e.event === 'cancelled')?.requestId, call?.requestId, 'the cancelled request');
    const records = await waitFor(async () => {
      const rs = (await api.auditRecords()).filter(
        (r) => r.what.server.id === ids.progress && r.what.tool === 'wait_for_cancel',
      );
      return rs.length ? rs : undefined;
    }, 'the audit record of the call');
    assert.equal(records.length, 1, 'one record for the call');
    assert.equal(records[0]?.who.caller, 'palette');
    assert.deepEqual([records[0]?.outcome.kind, records[0]?.outcome.code], ['transport_error', 'cancelled']);
  });
});
