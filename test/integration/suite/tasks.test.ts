import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ToolCallResult } from '../../../src/core/mcp/types';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { activatedApi, requireFixtures, serverEntries, setServers, waitFor, type Fixtures } from './helpers';

const TASKS_ID = 'it-tasks';

/**
 * Task-augmented tools (MCP 2025-11-25 §Utilities/Tasks) in the real editor: the SDK 1.x task server
 * (test/fixtures/mcp/taskServer.mjs) as this suite's own stdio server, called through the Call Tool
 * command with its cancellable progress notification.
 */
describe('task-augmented tools (extension, real task server)', () => {
  let api: McpSecureApi;
  let f: Fixtures;

  before(async () => {
    f = requireFixtures();
    api = await activatedApi();
    const taskServer = path.join(path.dirname(f.stdio.args[0] ?? ''), 'taskServer.mjs');
    // Its own launch spec (and env), so the stdio suite's "asks once" check is unaffected.
    await setServers([
      ...serverEntries(f),
      {
        id: TASKS_ID,
        name: 'Task Reports',
        transport: 'stdio',
        command: f.stdio.command,
        args: [taskServer],
        env: { TASKS_SUITE: '1' },
      },
    ]);
    await waitFor(() => api.servers().some((d) => d.id === TASKS_ID), 'the task server in the registry');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.disconnect(TASKS_ID).catch(() => undefined);
    await setServers(serverEntries(f));
  });

  type ProgressRun = Parameters<Parameters<McpSecureApi['useProgress']>[0]>[0];

  /**
   * Runs Call Tool with supplied arguments (confirmed) and the launch allowed; `watch` sees its progress
   * notification each time it reports (the notification's messages, and its Cancel).
   */
  async function callTool(
    tool: string,
    args: Record<string, unknown>,
    watch: (messages: readonly string[], run: ProgressRun) => void,
  ): Promise<ToolCallResult | undefined> {
    const runs: ProgressRun[] = [];
    const leases = [
      api.useLaunchConfirmer(async (def) => def.id === TASKS_ID),
      api.useConfirmation('callTool', async (r) => r.serverId === TASKS_ID),
      api.useProgress((run) => runs.push(run)),
    ];
    const command = Promise.resolve(
      vscode.commands.executeCommand('mcpSecure.callTool', TASKS_ID, tool, args),
    ) as Promise<ToolCallResult | undefined>;
    let settled = false;
    void command.then(
      () => (settled = true),
      () => (settled = true),
    );
    try {
      // Follow the notification's reports while the command runs (state, not time: every event-loop turn).
      let seen = 0;
      while (!settled) {
        const run = runs.find((r) => r.title.includes(tool));
        if (run && run.reports.length > seen) {
          seen = run.reports.length;
          watch(
            run.reports.map((r) => r.message ?? ''),
            run,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const run = runs.find((r) => r.title.includes(tool));
      if (run && run.reports.length > seen)
        watch(
          run.reports.map((r) => r.message ?? ''),
          run,
        );
      assert.match(run?.title ?? '', /^Running .+ on Task Reports as a task…$/, 'the notification names the task');
      return await command;
    } finally {
      leases.forEach((l) => l.dispose());
    }
  }

  async function taskRecords(): Promise<{ status?: string; kind: string; code?: string; caller: string }[]> {
    return (await api.auditRecords())
      .filter((r) => r.what.server.id === TASKS_ID && r.what.tool === 'report')
      .map((r) => ({
        status: r.outcome.task?.status,
        kind: r.outcome.kind,
        code: r.outcome.code,
        caller: r.who.caller,
      }));
  }

  it('Call Tool runs a task-required tool with its status in the notification, opens the result, audits one "completed" call', async () => {
    const before = (await taskRecords()).length;
    let shown: readonly string[] = [];
    const result = await callTool('report', { steps: 3, stepMs: 30, fail: false }, (messages) => (shown = messages));
    assert.deepEqual(result?.content, [{ type: 'text', text: 'report done: 3 steps' }]);
    // Status changes in order (a poll's answer and a notification may cross: either may report one).
    assert.equal(shown[0], 'task working');
    assert.equal(shown.at(-1), 'task completed: step 3 of 3');
    assert.ok(
      shown.slice(1, -1).every((m) => /^task working: step [1-3] of 3$/.test(m)),
      shown.join(' | '),
    );
    await waitFor(
      () => vscode.workspace.textDocuments.some((d) => d.getText().includes('report done: 3 steps')),
      'the result in an editor',
    );
    const records = await waitFor(async () => {
      const all = await taskRecords();
      return all.length > before ? all.slice(before) : undefined;
    }, 'the audit record');
    assert.deepEqual(records, [{ status: 'completed', kind: 'success', code: undefined, caller: 'palette' }]);
  });

  it('cancelling the notification sends tasks/cancel to the server; the call is audited once as cancelled', async () => {
    const before = (await taskRecords()).length;
    // Cancel is the user's choice: the command resolves to undefined (no error)
    const outcome = await callTool('report', { steps: 10_000, stepMs: 20, fail: false }, (messages, run) => {
      if (messages.some((m) => m.endsWith(' of 10000'))) run.cancel();
    });
    assert.equal(outcome, undefined);
    const events = await api.callTool(TASKS_ID, 'task_events', {});
    const seen = JSON.parse(String(events.content[0]?.text)) as { created: string[]; cancelled: string[] };
    assert.equal(seen.cancelled.length, 1, 'the server received tasks/cancel');
    assert.equal(seen.cancelled[0], seen.created.at(-1), 'for the task the call created');
    const records = await waitFor(async () => {
      const all = await taskRecords();
      return all.length > before ? all.slice(before) : undefined;
    }, 'the audit record');
    assert.deepEqual(records, [{ status: 'cancelled', kind: 'transport_error', code: 'cancelled', caller: 'palette' }]);
  });
});
