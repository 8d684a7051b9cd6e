import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  EmptyResultSchema,
  ListResourcesResultSchema,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpSecureError } from '../../../src/core/errors';
import { newGatewaySecret } from '../../../src/core/gateway/bridgeHandshake';
import { GatewayListener } from '../../../src/core/gateway/gatewayListener';
import type { ToolGate } from '../../../src/core/gateway/proxySession';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type ServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import type { ElicitationAnswer, ElicitationRequest } from '../../../src/core/mcp/types';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import { startModernServer, type ModernServer } from '../../fixtures/mcp/modernServer';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { startProxyGateway } from './support/proxyGateway';
import { RecordingAudit, bridgeTransport, waitUntil } from './support/bridgeClient';

/**
 * The whole gateway path in plain Node: an MCP client (standing in for VS Code's) runs the real bridge
 * as a child process over stdio; the bridge connects to the real listener; a proxy session serves it
 * from a ConnectionManager connection to a real upstream server.
 */
describe('gateway proxy (real bridge process, real upstream servers)', function () {
  this.timeout(30_000);
  const secret = newGatewaySecret();
  let logger: MemoryLogger;
  let audit: RecordingAudit;
  let manager: ConnectionManager;
  let listener: GatewayListener;
  let defs: ServerDefinition[];
  let gate: ToolGate | undefined;
  let elicitationStarted: (() => void) | undefined;
  let upstreamFailure: McpSecureError | undefined;
  let elicit: ((req: ElicitationRequest) => Promise<ElicitationAnswer>) | undefined;
  const clients: Client[] = [];
  const closers: (() => Promise<void>)[] = [];

  async function start(servers: ServerDefinition[]): Promise<void> {
    defs = servers;
    listener = await startProxyGateway({
      secret,
      logger,
      manager,
      audit,
      servers: () => defs,
      gate: (id, tool) => gate?.(id, tool),
      upstreamFailure: () => upstreamFailure,
    });
  }

  async function bridgeClient(
    serverId: string,
    bridgeSecret = secret,
  ): Promise<{ client: Client; stderr: () => string }> {
    const transport = bridgeTransport({ endpoint: listener.endpoint, secret: bridgeSecret, serverId, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const client = new Client(
      { name: 'vscode-stand-in', version: '1.0.0' },
      { capabilities: { roots: { listChanged: true } } },
    );
    clients.push(client);
    await client.connect(transport);
    return { client, stderr: () => stderr };
  }

  /** A 2026-07-28 upstream behind the gateway, reached through a bridge. */
  async function modernBehindGateway(): Promise<{ modern: ModernServer; client: Client }> {
    const modern = await startModernServer();
    closers.push(() => modern.close());
    await start([
      parseServerDefinition({
        id: 'modern',
        name: 'Modern',
        transport: 'http',
        url: modern.url,
        protocol: '2026-07-28',
      }),
    ]);
    const { client } = await bridgeClient('modern');
    return { modern, client };
  }

  function notes(extra: Record<string, unknown> = {}): ServerDefinition {
    const { command, args } = stdioServerCommand();
    return parseServerDefinition({ id: 'notes', name: 'Notes', transport: 'stdio', command, args, ...extra });
  }

  beforeEach(() => {
    logger = new MemoryLogger();
    audit = new RecordingAudit();
    gate = undefined;
    upstreamFailure = undefined;
    elicit = undefined;
    manager = new ConnectionManager({
      logger,
      observers: [audit],
      requestTimeoutMs: 10_000,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => 'notes-shared-secret-0123456789abcdef',
      elicitation: (req, signal) =>
        elicit?.(req) ??
        new Promise((_, reject) => {
          elicitationStarted?.();
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await manager.disposeAll();
    await listener?.close();
    for (const c of closers.splice(0)) await c();
    assert.ok(!logger.text().includes(secret), 'the gateway secret never reaches the log');
  });

  it('initialize: serverInfo.name is the short alias, capabilities come from the upstream, tools announce listChanged', async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    assert.deepEqual(
      client.getServerVersion(),
      { name: 'notes', version: '9.9.9' },
      'no title: VS Code would prefer it over the name for tool names',
    );
    assert.deepEqual(client.getServerCapabilities()?.tools, { listChanged: true });
    assert.equal(client.getServerCapabilities()?.resources, undefined, 'the notes server offers no resources');
  });

  it('tools/list and tools/call go to the real server; each call is audited once with caller chat and the conversation id', async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), [
      'add',
      'echo',
      'env_report',
      'greet',
      'picture',
      'read_note',
    ]);
    const sum = await client.callTool({
      name: 'add',
      arguments: { a: 20, b: 22 },
      _meta: { 'vscode.conversationId': 'conv-1', progressToken: 'p1' },
    });
    assert.deepEqual(sum.structuredContent, { sum: 42 });
    const missing = await client.callTool({ name: 'read_note', arguments: { name: 'nope' } });
    assert.equal(missing.isError, true, 'tool errors come back as results');
    assert.deepEqual(
      audit.records.map((r) => [r.context.caller, r.context.tool, r.context.conversationId, r.outcome.kind]),
      [
        ['chat', 'add', 'conv-1', 'success'],
        ['chat', 'read_note', undefined, 'tool_error'],
      ],
    );
  });

  it("forwards progress of a call and the upstream's tools/list_changed", async () => {
    await start([notes({ env: { MCP_FIXTURE_GATEWAY_TOOLS: '1' } })]);
    const { client } = await bridgeClient('notes');
    const progress: unknown[] = [];
    const counted = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    assert.deepEqual(counted.content, [{ type: 'text', text: 'counted to 3' }]);
    assert.deepEqual(
      progress,
      [1, 2, 3].map((i) => ({ progress: i, total: 3, message: `step ${i}` })),
    );
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    await client.callTool({ name: 'add_tool', arguments: {} });
    await changed;
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'late'));
  });

  it("a server's elicitation during a chat call is answered by the extension's own prompt", async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    const asked: string[] = [];
    elicit = async (req) => {
      asked.push(`${req.serverId}: ${req.message}`);
      return { action: 'accept', content: { ...req.defaults, name: 'gateway' } };
    };
    const greeted = await client.callTool({ name: 'greet', arguments: {} });
    assert.deepEqual(greeted.content, [{ type: 'text', text: 'Hello, gateway!' }]);
    assert.deepEqual(asked, ['notes: Who should be greeted?']);
  });

  it('a server→client request the extension does not support (sampling) is refused with a JSON-RPC error, not left hanging', async () => {
    await start([notes({ env: { MCP_FIXTURE_GATEWAY_TOOLS: '1' } })]);
    const { client } = await bridgeClient('notes');
    const result = await client.callTool({ name: 'ask_sampling', arguments: {} });
    assert.equal(result.isError, true);
    assert.match((result.content as { text: string }[])[0]?.text ?? '', /^refused: -32601 /);
  });

  it('answers unknown methods with -32601, forwards resources/list, answers ping', async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    await assert.rejects(
      client.request({ method: 'tasks/list', params: {} }, EmptyResultSchema),
      (e) => e instanceof McpError && e.code === -32601,
    );
    // The notes server offers no resources: the upstream client answers an empty list.
    assert.deepEqual(
      (await client.request({ method: 'resources/list', params: {} }, ListResourcesResultSchema)).resources,
      [],
    );
    assert.equal((await client.ping()).constructor, Object);
  });

  it('cancellation from the client aborts the upstream call, which is audited as cancelled', async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    const controller = new AbortController();
    const started = new Promise<void>((r) => (elicitationStarted = r));
    const call = client.callTool({ name: 'greet', arguments: {} }, undefined, { signal: controller.signal });
    await started;
    controller.abort();
    // The SDK client ends its own request with RequestTimeout (-32001) carrying the abort.
    await assert.rejects(
      call,
      (e: { code?: number; message?: string }) => e.code === -32001 && /AbortError/.test(e.message ?? ''),
    );
    for (let i = 0; i < 200 && audit.records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(audit.records[0]?.outcome.kind, 'transport_error');
    assert.equal((audit.records[0]?.outcome as { code?: string }).code, 'cancelled');
  });

  it('a tool the policy refuses is hidden from tools/list, and calling it anyway is denied locally and audited', async () => {
    await start([notes()]);
    gate = (_id, tool) =>
      tool.name === 'env_report'
        ? new McpSecureError('policy_denied', 'env_report is denied by the MCP Secure tool policy.')
        : undefined;
    const { client } = await bridgeClient('notes');
    assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'env_report'));
    await assert.rejects(
      client.callTool({ name: 'env_report', arguments: {} }),
      (e) => e instanceof McpError && e.code === -32002 && /denied by the MCP Secure tool policy/.test(e.message),
    );
    assert.deepEqual(
      audit.records.map((r) => [r.context.tool, r.outcome.kind, (r.outcome as { status?: unknown }).status]),
      [['env_report', 'denied', 'local']],
    );
  });

  it('a tools/call that cannot reach a connection (sign-in missing) is answered with the fix and still audited once', async () => {
    await start([notes()]);
    const { client } = await bridgeClient('notes');
    upstreamFailure = new McpSecureError('not_signed_in', 'Not signed in to this server.');
    await assert.rejects(
      client.callTool({ name: 'add', arguments: { a: 1, b: 2 }, _meta: { 'vscode.conversationId': 'c-9' } }),
      (e) => e instanceof McpError && e.code === -32001 && e.message.includes('Fix Notes: not_signed_in'),
    );
    assert.deepEqual(
      audit.records.map((r) => [
        r.context.caller,
        r.context.tool,
        r.context.conversationId,
        r.outcome.kind,
        (r.outcome as { status?: unknown }).status,
      ]),
      [['chat', 'add', 'c-9', 'denied', 401]],
    );
  });

  it('a dead upstream gives a clear error to initialize, not a hang', async () => {
    const dead = parseServerDefinition({
      id: 'dead',
      name: 'Dead',
      transport: 'stdio',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      secret: { mode: 'none' },
    });
    await start([dead]);
    await assert.rejects(
      bridgeClient('dead'),
      (e) =>
        e instanceof McpError &&
        e.code === -32003 &&
        /^MCP error -32003: Fix Dead: (server_exited|connection_failed)/.test(e.message),
    );
  });

  it('an upstream 401 never reaches the client as HTTP: it gets a JSON-RPC error naming the fix', async () => {
    const requests: string[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    await start([
      parseServerDefinition({ id: 'locked', name: 'Locked', transport: 'http', url, protocol: '2025-11-25' }),
    ]);
    await assert.rejects(
      bridgeClient('locked'),
      (e) => e instanceof McpError && e.code === -32001 && e.message.includes('Fix Locked: unauthorized'),
    );
    assert.ok(requests.length > 0, 'the upstream was tried');
  });

  it('the 2026-07-28 wire works behind the gateway', async () => {
    const { modern, client } = await modernBehindGateway();
    assert.equal(client.getServerVersion()?.name, 'modern');
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'through the gateway' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'through the gateway' }]);
    assert.ok(
      modern.requests.some((r) => r.protocolVersion === '2026-07-28'),
      JSON.stringify(modern.requests),
    );
    assert.equal(audit.records.at(-1)?.context.caller, 'chat');
  });

  it("on the 2026-07-28 wire the upstream's tools/list_changed arrives through subscriptions/listen and is forwarded", async () => {
    const { modern, client } = await modernBehindGateway();
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    // The gateway opens the listen stream when it attaches to the upstream connection (on the first request).
    await waitUntil(
      () => modern.requests.some((r) => r.mcpMethod === 'subscriptions/listen'),
      'a subscriptions/listen request upstream',
    );
    // The stream is acknowledged before the server's notifications reach it; publish until one is forwarded.
    let forwarded = false;
    void changed.then(() => (forwarded = true));
    await waitUntil(() => {
      if (!forwarded) modern.toolsChanged();
      return forwarded;
    }, 'tools/list_changed forwarded to the bridge');
  });

  it('a bridge with a wrong secret is refused: the client sees the connection close, the gateway logs it', async () => {
    await start([notes()]);
    await assert.rejects(bridgeClient('notes', newGatewaySecret()), /Connection closed/);
    assert.match(logger.text(), /bridge connection refused \(wrong or missing secret\)/);
    assert.equal(audit.records.length, 0);
  });
});
