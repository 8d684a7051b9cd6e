import { strict as assert } from 'node:assert';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import type { ConnectionIdentity } from '../../../src/core/mcp/mcpConnection';
import { parseServerDefinition, type HttpServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { startTicketsServer, type TicketsServer } from '../../fixtures/mcp/ticketsServer';
import { startLocalIssuer, type LocalIssuer } from './helpers/localIssuer';
import { TestAuthorizer } from './helpers/testAuthorizer';

class RecordingObserver implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

describe('HTTP MCP connections to the tickets fixture (real JWTs, real HTTP)', () => {
  let issuer: LocalIssuer;
  let tickets: TicketsServer;
  let logger: MemoryLogger;
  let observer: RecordingObserver;
  let manager: ConnectionManager | undefined;
  const minted: string[] = [];

  before(async () => {
    issuer = await startLocalIssuer();
    tickets = await startTicketsServer({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl });
  });
  after(async () => {
    await tickets.close();
    await issuer.close();
  });
  beforeEach(() => {
    logger = new MemoryLogger();
    observer = new RecordingObserver();
    (tickets.requests as unknown[]).length = 0;
  });
  afterEach(async () => {
    await manager?.disposeAll();
    for (const token of minted) assert.ok(!logger.text().includes(token), 'no token in the log');
  });

  function setup(
    consent = false,
    protocol = '2025-11-25',
    refuseLoudly = false,
  ): { authorizer: TestAuthorizer; def: HttpServerDefinition } {
    const authorizer = new TestAuthorizer(
      tickets.resource,
      async (scope) => {
        const t = await issuer.sign({ aud: tickets.resource, scope });
        minted.push(t);
        return t;
      },
      () => consent,
      refuseLoudly,
    );
    const def = parseServerDefinition({
      id: 'tickets',
      name: 'Tickets',
      transport: 'http',
      url: tickets.url,
      protocol,
    }) as HttpServerDefinition;
    manager = new ConnectionManager({
      logger,
      authorizerFor: () => authorizer,
      stdioSecretFor: async () => 'unused',
      identityFor: async (): Promise<ConnectionIdentity> => ({
        agent: { kind: 'oauth-client', clientId: 'test-client' },
        human: { issuer: issuer.issuer, subject: 'user-alice' },
        grantedScopes: authorizer.scopes,
        resource: tickets.resource,
        issuer: issuer.issuer,
      }),
      observers: [observer],
      requestTimeoutMs: 10_000,
    });
    return { authorizer, def };
  }

  it('signs in on the first 401, retries, and sends the token on every later request (never in the URL)', async () => {
    const { authorizer, def } = setup();
    const conn = await manager!.connect(def);
    const tools = await conn.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['close_ticket', 'list_tickets', 'whoami']);
    const result = await conn.callTool('list_tickets', {}, { caller: 'test' });
    assert.equal(result.isError, false);
    assert.equal(authorizer.rejections.length, 1);
    assert.equal(authorizer.rejections[0]?.status, 401);
    const seen = tickets.requests;
    assert.equal(seen[0]?.authScheme, undefined, 'first request had no token yet');
    assert.ok(
      seen.slice(1).every((r) => r.authScheme === 'Bearer'),
      'every later request carried the token',
    );
    assert.ok(seen.every((r) => !r.tokenInUrl));
    assert.ok(
      authorizer.asked.every((u) => u.startsWith(tickets.url)),
      'the authorizer was only asked about the resource',
    );
    assert.equal(observer.records.length, 1);
    const rec = observer.records[0]!;
    assert.equal(rec.outcome.kind, 'success');
    assert.ok(rec.outcome.kind === 'success' && rec.outcome.resultSize > 0);
    assert.deepEqual(rec.context.grantedScopes, ['tickets:read']);
    assert.equal(rec.context.server.resource, tickets.resource);
  });

  it('reports 403 insufficient_scope as denied with the missing scope when the user does not consent', async () => {
    const { def } = setup(false);
    const conn = await manager!.connect(def);
    await conn.listTools();
    await assert.rejects(conn.callTool('close_ticket', { id: 'T-1' }, { caller: 'palette' }), (e) =>
      isMcpSecureError(e, 'insufficient_scope'),
    );
    assert.equal(observer.records.length, 1);
    const outcome = observer.records[0]!.outcome;
    assert.equal(outcome.kind, 'denied');
    assert.ok(outcome.kind === 'denied' && outcome.status === 403 && outcome.missingScope === 'tickets:write');
    assert.equal(observer.records[0]!.context.caller, 'palette');
  });

  it("keeps the authorizer's own error code (step_up_refused) but records the call as denied with the missing scope", async () => {
    const { def } = setup(false, '2025-11-25', true);
    const conn = await manager!.connect(def);
    await assert.rejects(conn.callTool('close_ticket', { id: 'T-1' }, { caller: 'test' }), (e) =>
      isMcpSecureError(e, 'step_up_refused'),
    );
    const outcome = observer.records[0]!.outcome;
    assert.ok(
      outcome.kind === 'denied' && outcome.status === 403 && outcome.missingScope === 'tickets:write',
      JSON.stringify(outcome),
    );
  });

  it('steps up with consent and retries the call once the wider token is granted', async () => {
    const { authorizer, def } = setup(true);
    const conn = await manager!.connect(def);
    await conn.listTools();
    const closed = await conn.callTool('close_ticket', { id: 'T-2' }, { caller: 'test' });
    assert.equal(closed.isError, false);
    assert.deepEqual(authorizer.scopes.sort(), ['tickets:read', 'tickets:write']);
    const who = await conn.callTool('whoami', {}, { caller: 'test' });
    assert.deepEqual((who.structuredContent as { scopes: string[] }).scopes.sort(), ['tickets:read', 'tickets:write']);
    assert.deepEqual(
      observer.records.map((r) => r.outcome.kind),
      ['success', 'success'],
    );
  });

  it('refuses a tool the server does not list locally, and reports it as denied (local)', async () => {
    const { def } = setup();
    const conn = await manager!.connect(def);
    await assert.rejects(conn.callTool('drop_database', {}, { caller: 'test' }), (e) =>
      isMcpSecureError(e, 'tool_not_found'),
    );
    assert.equal(observer.records.length, 1);
    assert.deepEqual(observer.records[0]!.outcome.kind, 'denied');
    assert.ok(observer.records[0]!.outcome.kind === 'denied' && observer.records[0]!.outcome.status === 'local');
  });

  it('keeps calling when an observer throws, and still reports to the others', async () => {
    const { def } = setup();
    manager = new ConnectionManager({
      logger,
      authorizerFor: () =>
        new TestAuthorizer(tickets.resource, (scope) => issuer.sign({ aud: tickets.resource, scope })),
      stdioSecretFor: async () => 'unused',
      observers: [
        {
          onToolCallEnd: () => {
            throw new Error('observer broke');
          },
        },
        {
          onToolCallEnd: async () => {
            throw new Error('async observer broke');
          },
        },
        observer,
      ],
    });
    const conn = await manager.connect(def);
    const r = await conn.callTool('whoami', {}, { caller: 'test' });
    assert.equal(r.isError, false);
    assert.equal(observer.records.length, 1);
    assert.ok(logger.text().includes('tool-call observer failed'));
  });

  it('fails with unauthorized (and a 401 denied record) when the authorizer gives up', async () => {
    const def = parseServerDefinition({
      id: 'tickets',
      transport: 'http',
      url: tickets.url,
      protocol: '2025-11-25',
    }) as HttpServerDefinition;
    manager = new ConnectionManager({
      logger,
      authorizerFor: () => ({ headersFor: async () => ({}), handleRejection: async () => 'fail' }),
      stdioSecretFor: async () => 'x',
    });
    await assert.rejects(manager.connect(def), (e) => isMcpSecureError(e, 'unauthorized'));
    assert.equal(manager.state('tickets').kind, 'error');
  });

  it('does not time out while the user is still signing in (deadlines pause during authorizer work)', async () => {
    const def = parseServerDefinition({
      id: 'tickets',
      transport: 'http',
      url: tickets.url,
      protocol: 'auto',
    }) as HttpServerDefinition;
    const inner = new TestAuthorizer(tickets.resource, (scope) => issuer.sign({ aud: tickets.resource, scope }));
    manager = new ConnectionManager({
      logger,
      requestTimeoutMs: 150,
      stdioSecretFor: async () => 'x',
      authorizerFor: () => ({
        headersFor: (r) => inner.headersFor(r),
        handleRejection: async (r) => {
          // The simulated user's think time: four request timeouts long.
          await new Promise((resolve) => setTimeout(resolve, 600));
          return inner.handleRejection(r);
        },
      }),
    });
    const conn = await manager.connect(def);
    assert.equal((await conn.listTools()).length, 3);
  });

  it('negotiates automatically (auto → legacy initialize with an SDK 1.x server)', async () => {
    const { def } = setup(false, 'auto');
    const conn = await manager!.connect(def);
    assert.equal(conn.protocolVersion, '2025-11-25');
    assert.equal((await conn.listTools()).length, 3);
  });
});
