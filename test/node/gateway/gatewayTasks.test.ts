import { strict as assert } from 'node:assert';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ErrorCode, GetTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { newGatewaySecret } from '../../../src/core/gateway/bridgeHandshake';
import { GatewayListener } from '../../../src/core/gateway/gatewayListener';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type ServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import { taskServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { startProxyGateway } from './support/proxyGateway';
import { RecordingAudit, bridgeTransport } from './support/bridgeClient';

/**
 * Task tools through the gateway (VS Code's own MCP client → bridge → proxy → the extension's
 * connection). The gateway declares no `tasks` capability and lists task tools without `execution`:
 * to VS Code they are plain tools, and the extension runs the task upstream (create, poll, result,
 * cancel). A `params.task` from VS Code is ignored, as MCP 2025-11-25 §Utilities/Tasks asks of a
 * receiver without task support, and `tasks/*` requests are refused with "method not found".
 */
describe('gateway: task-augmented upstream tools (real bridge, real task server)', function () {
  this.timeout(30_000);
  const secret = newGatewaySecret();
  let logger: MemoryLogger;
  let audit: RecordingAudit;
  let manager: ConnectionManager;
  let listener: GatewayListener;
  let client: Client;

  beforeEach(async () => {
    logger = new MemoryLogger();
    audit = new RecordingAudit();
    manager = new ConnectionManager({
      logger,
      observers: [audit],
      requestTimeoutMs: 10_000,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => 'tasks-shared-secret-0123456789abcdef',
    });
    const { command, args } = taskServerCommand();
    const def: ServerDefinition = parseServerDefinition({
      id: 'tasks',
      name: 'Tasks',
      transport: 'stdio',
      command,
      args,
    });
    listener = await startProxyGateway({ secret, logger, manager, audit, servers: () => [def] });
    const transport = bridgeTransport({ endpoint: listener.endpoint, secret, serverId: def.id });
    client = new Client({ name: 'vscode-stand-in', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
  });

  afterEach(async () => {
    await client.close().catch(() => undefined);
    await manager.disposeAll();
    await listener.close();
    assert.ok(!logger.text().includes(secret), 'the gateway secret never reaches the log');
  });

  async function serverEvents(): Promise<{ created: string[]; cancelled: string[] }> {
    const r = await client.callTool({ name: 'task_events', arguments: {} });
    return JSON.parse(String((r.content as { text: string }[])[0]?.text)) as { created: string[]; cancelled: string[] };
  }

  it("offers task tools as plain tools and answers a plain call with the task's result, audited once", async () => {
    assert.equal(client.getServerCapabilities()?.tasks, undefined, 'the gateway declares no tasks capability');
    const report = (await client.listTools()).tools.find((t) => t.name === 'report');
    assert.ok(report, 'the task-required tool is listed');
    assert.equal(report.execution, undefined, 'no taskSupport: VS Code calls it like any tool');
    const progress: string[] = [];
    const result = await client.callTool(
      {
        name: 'report',
        arguments: { steps: 3, stepMs: 40, fail: false },
        _meta: { 'vscode.conversationId': 'conv-t' },
      },
      undefined,
      { onprogress: (p) => progress.push(`${p.progress} ${p.message}`) },
    );
    assert.deepEqual(result.content, [{ type: 'text', text: 'report done: 3 steps' }]);
    // The stand-in SDK client drops a progress notification that shares a read with the result, so the
    // last ones may be missing here; those that came are the task's status changes, one tick each.
    assert.equal(progress[0], '1 task working', "the task's status reaches VS Code as progress of its call");
    progress.forEach((p, i) =>
      assert.match(p, new RegExp(`^${i + 1} task (working|working: step [1-3] of 3|completed: step 3 of 3)$`)),
    );
    const events = await serverEvents();
    const calls = audit.records.filter((r) => r.context.tool === 'report');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.context.caller, 'chat');
    assert.equal(calls[0]!.context.conversationId, 'conv-t');
    assert.deepEqual(calls[0]!.outcome.task, { taskId: events.created[0], status: 'completed' });
  });

  it('ignores params.task from the client (no task support declared) and refuses tasks/get as an unknown method', async () => {
    const result = await client.request(
      {
        method: 'tools/call',
        params: { name: 'report', arguments: { steps: 1, stepMs: 5, fail: false }, task: { ttl: 60_000 } },
      },
      CallToolResultSchema,
    );
    assert.deepEqual(result.content, [{ type: 'text', text: 'report done: 1 steps' }]);
    const { created } = await serverEvents();
    await assert.rejects(
      client.request({ method: 'tasks/get', params: { taskId: created[0]! } }, GetTaskResultSchema),
      (err: unknown) => err instanceof McpError && err.code === ErrorCode.MethodNotFound,
    );
  });

  it("VS Code's cancellation reaches the upstream task as tasks/cancel; the call is audited cancelled", async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'report', arguments: { steps: 10_000, stepMs: 20, fail: false } }, undefined, {
      signal: controller.signal,
    });
    call.catch(() => undefined);
    // Wait until the upstream task exists (a plain tool call on the same session reports it).
    let events = await serverEvents();
    for (let i = 0; i < 200 && events.created.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      events = await serverEvents();
    }
    controller.abort();
    await assert.rejects(call);
    for (let i = 0; i < 300 && audit.records.every((r) => r.context.tool !== 'report'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const report = audit.records.find((r) => r.context.tool === 'report');
    assert.equal(report?.outcome.kind, 'transport_error');
    assert.deepEqual(report?.outcome.task, { taskId: events.created[0], status: 'cancelled' });
    assert.deepEqual((await serverEvents()).cancelled, events.created, 'tasks/cancel reached the server');
  });
});
