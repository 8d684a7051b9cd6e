import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { Redactor } from '../../../src/core/common/redaction';
import { isMcpSecureError } from '../../../src/core/errors';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import type { McpConnection } from '../../../src/core/mcp/mcpConnection';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret } from '../../../src/core/mcp/stdioSecret';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { taskServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { tempDir } from '../../support/auditHelpers';

class RecordingObserver implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

/** Every record the audit store wrote (JSON lines in its segment files). */
function recordsOnDisk(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((r) => r.event === undefined);
}

async function serverEvents(conn: McpConnection): Promise<{ created: string[]; cancelled: string[]; tally: string[] }> {
  const r = await conn.callTool('task_events', {}, { caller: 'test' });
  return JSON.parse(String(r.content[0]?.text)) as { created: string[]; cancelled: string[]; tally: string[] };
}

/**
 * Task-augmented tools (MCP 2025-11-25 §Utilities/Tasks) against a real SDK 1.x server with
 * `registerToolTask` tools, as a real child process that checks the shared secret.
 */
describe('task-augmented tool calls (real SDK task server)', function () {
  this.timeout(30_000);
  const secret = generateSharedSecret();
  const CANARY = `canary-${generateSharedSecret()}`;
  let logger: MemoryLogger;
  let observer: RecordingObserver;
  let manager: ConnectionManager;
  let audit: { dir: string; cleanup(): void };
  let trail: AuditTrail;
  let elicited: string[];

  beforeEach(async () => {
    logger = new MemoryLogger();
    observer = new RecordingObserver();
    elicited = [];
    audit = tempDir('tasks-audit-');
    const redactor = new Redactor();
    redactor.registerSecret(secret);
    trail = new AuditTrail({ store: await AuditStore.open({ dir: audit.dir }), logger, redactor });
    manager = new ConnectionManager({
      logger,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => secret,
      observers: [observer, trail],
      elicitation: async (request) => {
        elicited.push(request.message);
        return { action: 'accept', content: { name: 'Ada' } };
      },
      requestTimeoutMs: 10_000,
    });
  });
  afterEach(async () => {
    await manager.disposeAll();
    await trail.close();
    const disk = readdirSync(audit.dir)
      .map((f) => readFileSync(join(audit.dir, f), 'utf8'))
      .join('\n');
    for (const leaked of [secret, CANARY]) {
      assert.ok(!logger.text().includes(leaked), 'no secret in the log');
      assert.ok(!disk.includes(leaked), 'no secret in the audit folder');
      assert.ok(!JSON.stringify(observer.records).includes(secret), 'no shared secret in what observers saw');
    }
    audit.cleanup();
  });

  function connect(env?: Record<string, string>): Promise<McpConnection> {
    const { command, args } = taskServerCommand();
    const def = parseServerDefinition({
      id: 'tasks',
      name: 'Tasks',
      transport: 'stdio',
      command,
      args,
      ...(env ? { env } : {}),
    });
    return manager.connect(def as StdioServerDefinition);
  }

  it('lists each tool with its task support', async () => {
    const conn = await connect();
    const tools = await conn.listTools();
    const support = Object.fromEntries(tools.map((t) => [t.name, t.taskSupport ?? 'forbidden']));
    assert.deepEqual(support, {
      report: 'required',
      interview: 'required',
      tally: 'optional',
      task_events: 'forbidden',
    });
  });

  it('runs a task-required tool as a task: status updates, the result, one audit record "completed"', async () => {
    const conn = await connect();
    const statuses: string[] = [];
    const result = await conn.callTool(
      'report',
      { steps: 3, stepMs: 30, fail: false, apiKey: CANARY },
      {
        caller: 'test',
        onTaskStatus: (s) => statuses.push(`${s.status}${s.statusMessage ? `: ${s.statusMessage}` : ''}`),
      },
    );
    assert.equal(result.isError, false);
    assert.deepEqual(result.content, [{ type: 'text', text: 'report done: 3 steps' }]);
    assert.deepEqual(result.structuredContent, { steps: 3 });
    // Status changes in order (a poll's answer and a notification may cross: either may report one).
    assert.equal(statuses[0], 'working');
    assert.equal(statuses.at(-1), 'completed: step 3 of 3');
    assert.ok(
      statuses.slice(1, -1).every((s) => /^working: step [1-3] of 3$/.test(s)),
      statuses.join(' | '),
    );
    assert.equal(new Set(statuses).size, statuses.length, 'each status change is reported once');

    const events = await serverEvents(conn);
    assert.equal(events.created.length, 1);
    assert.equal(observer.records.filter((r) => r.context.tool === 'report').length, 1, 'one call, not one per poll');
    const outcome = observer.records[0]!.outcome;
    assert.equal(outcome.kind, 'success');
    assert.deepEqual(outcome.task, { taskId: events.created[0], status: 'completed' });

    await trail.flush();
    const onDisk = recordsOnDisk(audit.dir).filter((r) => (r.what as { tool: string }).tool === 'report');
    assert.equal(onDisk.length, 1);
    assert.deepEqual((onDisk[0]!.outcome as Record<string, unknown>).task, {
      id: events.created[0],
      status: 'completed',
    });
  });

  it('reports a failed task as a tool error with the server\'s message, audited "failed"', async () => {
    const conn = await connect();
    const result = await conn.callTool('report', { steps: 1, stepMs: 10, fail: true }, { caller: 'test' });
    assert.equal(result.isError, true);
    assert.deepEqual(result.content, [{ type: 'text', text: 'report failed after 1 steps' }]);
    const outcome = observer.records[0]!.outcome;
    assert.equal(outcome.kind, 'tool_error');
    assert.equal(outcome.task?.status, 'failed');
    await trail.flush();
    const [record] = recordsOnDisk(audit.dir);
    assert.equal((record!.outcome as { task: { status: string } }).task.status, 'failed');
  });

  it('cancelling the call sends tasks/cancel to the server and audits one "cancelled" record', async () => {
    const conn = await connect();
    const controller = new AbortController();
    const error = await conn
      .callTool(
        'report',
        { steps: 10_000, stepMs: 20, fail: false },
        {
          caller: 'test',
          signal: controller.signal,
          onTaskStatus: (s) => {
            if (s.statusMessage?.endsWith(' of 10000')) controller.abort();
          },
        },
      )
      .then(
        () => assert.fail('the call should have been cancelled'),
        (err: unknown) => err,
      );
    assert.ok(isMcpSecureError(error, 'cancelled'), String(error));
    const events = await serverEvents(conn);
    assert.deepEqual(events.cancelled, events.created, 'the server received tasks/cancel for the task');
    const calls = observer.records.filter((r) => r.context.tool === 'report');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.outcome.kind, 'transport_error');
    assert.deepEqual(calls[0]!.outcome.task, { taskId: events.created[0], status: 'cancelled' });
  });

  it('a whole-task deadline cancels the task on the server and says it timed out', async () => {
    const conn = await connect();
    const error = await conn
      .callTool('report', { steps: 10_000, stepMs: 20, fail: false }, { caller: 'test', timeoutMs: 300 })
      .then(
        () => assert.fail('the call should have timed out'),
        (err: unknown) => err,
      );
    assert.ok(isMcpSecureError(error, 'request_timeout'), String(error));
    assert.match((error as Error).message, /did not finish within 0\.3 s/);
    const events = await serverEvents(conn);
    assert.deepEqual(events.cancelled, events.created);
    assert.equal(observer.records[0]!.outcome.task?.status, 'cancelled');
  });

  it('calls a task-optional tool normally unless a task is preferred', async () => {
    const conn = await connect();
    const direct = await conn.callTool('tally', { values: [1, 2, 3] }, { caller: 'test' });
    assert.deepEqual(direct.structuredContent, { sum: 6 });
    assert.equal(observer.records[0]!.outcome.task, undefined);
    const tasked = await conn.callTool('tally', { values: [4, 5] }, { caller: 'test', preferTask: true });
    assert.deepEqual(tasked.structuredContent, { sum: 9 });
    assert.equal(observer.records[1]!.outcome.task?.status, 'completed');
    assert.deepEqual((await serverEvents(conn)).tally, ['direct', 'task']);
  });

  it('refuses a task-required tool before sending anything when the server declares no tool tasks', async () => {
    const conn = await connect({ TASK_SERVER_NO_TASKS: '1' });
    const [tool] = await conn.listTools();
    assert.equal(tool?.taskSupport, 'required');
    await assert.rejects(
      conn.callTool('report', {}, { caller: 'test' }),
      (err: unknown) =>
        isMcpSecureError(err, 'task_unsupported') &&
        /must run as a task, but the server does not declare tasks for tools\/call/.test(err.message),
    );
    assert.deepEqual(
      observer.records.map((r) => [r.outcome.kind, (r.outcome as { status?: unknown }).status, r.outcome.task]),
      [['denied', 'local', undefined]],
    );
  });

  it('answers a request the task makes while input_required (elicitation on the tasks/result stream)', async () => {
    const conn = await connect();
    const statuses: string[] = [];
    const result = await conn.callTool(
      'interview',
      {},
      { caller: 'test', onTaskStatus: (s) => statuses.push(`${s.status}: ${s.statusMessage ?? ''}`) },
    );
    assert.deepEqual(result.content, [{ type: 'text', text: 'Interviewed Ada' }]);
    assert.deepEqual(elicited, ['Who is being interviewed?']);
    assert.ok(statuses.includes('input_required: waiting for a name'), statuses.join(' | '));
    assert.equal(observer.records[0]!.outcome.task?.status, 'completed');
  });

  it('a call cancelled while the server is still creating the task cancels that task too', async () => {
    const conn = await connect();
    const controller = new AbortController();
    const call = conn.callTool(
      'report',
      { steps: 10_000, stepMs: 20, fail: false, holdMs: 1_000 },
      { caller: 'test', signal: controller.signal },
    );
    call.catch(() => undefined);
    // The server created the task and holds its answer to tools/call: give up now.
    let events = await serverEvents(conn);
    while (events.created.length === 0) events = await serverEvents(conn);
    controller.abort();
    await assert.rejects(call, (err: unknown) => isMcpSecureError(err, 'cancelled'));
    assert.deepEqual((await serverEvents(conn)).cancelled, events.created, 'the task was cancelled on the server');
    const report = observer.records.find((r) => r.context.tool === 'report');
    assert.deepEqual(report?.outcome.task, { taskId: events.created[0], status: 'cancelled' });
  });
});
