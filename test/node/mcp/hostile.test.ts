import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpSecureError, isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import type { RequestAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type HttpServerDefinition } from '../../../src/core/mcp/serverDefinition';
import {
  HOSTILE_HTML_TOOL,
  startHostileServer,
  type HostileMode,
  type HostileServer,
} from '../../fixtures/mcp/hostileServer';

const CANARY = 'canary-token-7f3a9c2e-do-not-leak';

/** A careless authorizer that would hand the token to ANY url: the transport itself must still contain it. */
const carelessAuthorizer: RequestAuthorizer = {
  headersFor: async () => ({ Authorization: `Bearer ${CANARY}` }),
  handleRejection: async () => 'fail',
};

class RecordingObserver implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

describe('hostile HTTP MCP servers', () => {
  let hostile: HostileServer;
  let elsewhere: Server;
  let elsewhereHits: string[];
  let logger: MemoryLogger;
  let observer: RecordingObserver;
  let manager: ConnectionManager;
  const errors: unknown[] = [];

  before(async () => {
    elsewhereHits = [];
    elsewhere = createServer((req, res) => {
      elsewhereHits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    hostile = await startHostileServer();
    hostile.redirectTo = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
  });
  after(async () => {
    await hostile.close();
    elsewhere.closeAllConnections();
    await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
  });
  beforeEach(() => {
    logger = new MemoryLogger();
    observer = new RecordingObserver();
    hostile.requests.length = 0;
    manager = new ConnectionManager({
      logger,
      authorizerFor: () => carelessAuthorizer,
      stdioSecretFor: async () => 'x',
      observers: [observer],
      requestTimeoutMs: 10_000,
      maxResponseBytes: 1024 * 1024,
    });
  });
  afterEach(async () => {
    await manager.disposeAll();
    assert.ok(!logger.text().includes(CANARY), 'canary never logged');
    for (const e of errors.splice(0))
      assert.ok(!String((e as Error).message).includes(CANARY), 'canary never in an error');
    assert.deepEqual(elsewhereHits, [], 'nothing ever reached the other origin');
  });

  function def(protocol = '2025-11-25'): HttpServerDefinition {
    return parseServerDefinition({
      id: 'hostile',
      transport: 'http',
      url: hostile.url,
      protocol,
    }) as HttpServerDefinition;
  }

  async function callIn(mode: HostileMode, timeoutMs?: number): Promise<McpSecureError> {
    hostile.mode = 'ok';
    const conn = await manager.connect(def());
    await conn.listTools();
    hostile.mode = mode;
    const err = await conn.callTool('echo', { text: 'hi' }, { caller: 'test', timeoutMs }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    errors.push(err);
    assert.ok(err instanceof McpSecureError);
    assert.equal(observer.records.length, 1, 'exactly one record per call');
    return err;
  }

  it('a server that hangs mid-call -> request_timeout, reported as transport_error', async () => {
    const err = await callIn('hang', 800);
    assert.equal(err.code, 'request_timeout');
    assert.deepEqual(observer.records[0]!.outcome, {
      kind: 'transport_error',
      code: 'request_timeout',
      message: err.message,
    });
  });

  it('a server that dies mid-response -> connection_failed, reported as transport_error', async () => {
    const err = await callIn('die');
    assert.equal(err.code, 'connection_failed');
    assert.equal(observer.records[0]!.outcome.kind, 'transport_error');
  });

  it('an oversized response -> protocol_error', async () => {
    hostile.oversizeBytes = 2 * 1024 * 1024;
    const err = await callIn('oversized');
    assert.equal(err.code, 'protocol_error');
  });

  it('malformed JSON -> protocol_error', async () => {
    const err = await callIn('malformed');
    assert.equal(err.code, 'protocol_error');
  });

  it('a redirect to another origin is refused and the token never leaves', async () => {
    hostile.mode = 'redirect-cross-origin';
    await assert.rejects(manager.connect(def()), (e) => {
      errors.push(e);
      return isMcpSecureError(e, 'insecure_url');
    });
    assert.equal(manager.state('hostile').kind, 'error');
  });

  it('falls back to the legacy HTTP+SSE transport on a 4xx POST, with the token on every request', async () => {
    hostile.mode = 'legacy-sse';
    const conn = await manager.connect(def('auto'));
    assert.equal(conn.wire, 'sse');
    const r = await conn.callTool('echo', { text: 'hi' }, { caller: 'test' });
    assert.equal(r.isError, false);
    const legacyRequests = hostile.requests.filter((q) => q.method === 'GET' || q.url.startsWith('/messages'));
    assert.ok(legacyRequests.length >= 3);
    assert.ok(legacyRequests.every((q) => q.authorization === `Bearer ${CANARY}`));
    assert.ok(hostile.requests.every((q) => !q.url.includes(CANARY)));
  });

  it('refuses a legacy SSE endpoint event that points at another origin (token-in-URL bait)', async () => {
    hostile.mode = 'legacy-sse-foreign-endpoint';
    await assert.rejects(manager.connect(def()), (e) => {
      errors.push(e);
      return e instanceof McpSecureError && ['insecure_url', 'connection_failed'].includes(e.code);
    });
  });

  it('passes HTML/script tool names through as data and strips control/bidi characters from error text', async () => {
    hostile.mode = 'html';
    const conn = await manager.connect(def());
    const tools = await conn.listTools();
    assert.ok(tools.some((t) => t.name === HOSTILE_HTML_TOOL));
    const r = await conn.callTool(HOSTILE_HTML_TOOL, {}, { caller: 'test' });
    assert.equal(r.isError, true);
    const outcome = observer.records[0]!.outcome;
    assert.equal(outcome.kind, 'tool_error');
    assert.ok(outcome.kind === 'tool_error' && !outcome.message.includes('\u202E'));
  });

  it('refuses a same-origin endpoint that would put the token in the URL', async () => {
    hostile.mode = 'legacy-sse-token-bait';
    await assert.rejects(manager.connect(def()), (e) => {
      errors.push(e);
      return isMcpSecureError(e, 'insecure_url');
    });
    assert.ok(
      hostile.requests.every((q) => !q.url.startsWith('/messages')),
      'no request was sent to the baited URL',
    );
  });

  it('a server that never answers initialize -> request_timeout on connect', async () => {
    hostile.mode = 'hang-initialize';
    await manager.disposeAll();
    manager = new ConnectionManager({
      logger,
      authorizerFor: () => carelessAuthorizer,
      stdioSecretFor: async () => 'x',
      requestTimeoutMs: 800,
    });
    await assert.rejects(manager.connect(def()), (e) => {
      errors.push(e);
      return isMcpSecureError(e, 'request_timeout');
    });
    const state = manager.state('hostile');
    assert.ok(state.kind === 'error' && state.code === 'request_timeout');
  });

  it('a JSON-RPC error answer to tools/call -> protocol_error, recorded once as tool_error with clean text', async () => {
    const err = await callIn('jsonrpc-error');
    assert.equal(err.code, 'protocol_error');
    const outcome = observer.records[0]!.outcome;
    assert.ok(outcome.kind === 'tool_error' && !outcome.message.includes('\u202E'));
  });

  it('a server that is not listening -> connection_failed', async () => {
    const closed = parseServerDefinition({
      id: 'hostile',
      transport: 'http',
      url: 'http://127.0.0.1:9/mcp',
      protocol: '2025-11-25',
    }) as HttpServerDefinition;
    await assert.rejects(manager.connect(closed), (e) => {
      errors.push(e);
      return isMcpSecureError(e, 'connection_failed');
    });
  });
});
