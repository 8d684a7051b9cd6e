import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { Redactor } from '../../../src/core/common/redaction';
import { isMcpSecureError, type McpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { SECRET_META_KEY, SecretPresenter } from '../../../src/core/mcp/stdioSecretPresenter';
import { modernStdioServerCommand, stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { tempDir } from '../../support/auditHelpers';

function def(server: 'modern' | 'legacy', extra: Record<string, unknown> = {}): StdioServerDefinition {
  const { command, args } = server === 'modern' ? modernStdioServerCommand() : stdioServerCommand();
  return parseServerDefinition({ id: 'notes', transport: 'stdio', command, args, ...extra }) as StdioServerDefinition;
}

describe('stdio on the 2026-07-28 wire (real child processes, SDK v2 modern-only server)', () => {
  // A canary secret: it must reach the server and nowhere else.
  const canary = `canary${randomBytes(24).toString('base64url')}`;
  let logger: MemoryLogger;
  let managers: ConnectionManager[];

  function manager(secret = canary, observers: ConstructorParameters<typeof ConnectionManager>[0]['observers'] = []) {
    const m = new ConnectionManager({
      logger,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => secret,
      observers,
      requestTimeoutMs: 10_000,
    });
    managers.push(m);
    return m;
  }

  function assertNoCanary(e: unknown): boolean {
    const err = e as McpSecureError;
    assert.ok(!`${err.message} ${String(err.cause)}`.includes(canary), 'the secret is not in the error');
    return true;
  }

  beforeEach(() => {
    logger = new MemoryLogger();
    managers = [];
  });
  afterEach(async () => {
    await Promise.all(managers.map((m) => m.disposeAll()));
    assert.ok(!logger.text().includes(canary), 'the shared secret never reaches the log');
  });

  it('connects with the secret in _meta, lists and calls tools; the audit file and the log never hold it', async () => {
    const t = tempDir('modern-stdio-');
    const store = await AuditStore.open({ dir: join(t.dir, 'log') });
    try {
      const redactor = new Redactor();
      const trail = new AuditTrail({ store, logger: new MemoryLogger(), redactor });
      const conn = await manager(canary, [trail]).connect(def('modern', { protocol: '2026-07-28' }));
      assert.equal(conn.protocolVersion, '2026-07-28');
      assert.deepEqual(conn.serverInfo, { name: 'modern-notes', version: '2.0.0' });
      assert.deepEqual((await conn.listTools()).map((tool) => tool.name).sort(), ['echo', 'wait_for_cancel']);
      const echoed = await conn.callTool('echo', { text: 'over the stateless wire' }, { caller: 'test' });
      assert.deepEqual(echoed.content, [{ type: 'text', text: 'over the stateless wire' }]);
      await trail.flush();
      const onDisk = readdirSync(store.dir)
        .map((n) => readFileSync(join(store.dir, n), 'utf8'))
        .join('\n');
      assert.ok(onDisk.includes('"tool":"echo"') && onDisk.includes('"kind":"success"'), 'the call is audited');
      assert.ok(!onDisk.includes(canary), 'the secret is not in the audit file');
    } finally {
      await store.close();
      t.cleanup();
    }
  });

  it('auto finds the 2026-07-28 wire of a modern-only server', async () => {
    const conn = await manager().connect(def('modern', { protocol: 'auto' }));
    assert.equal(conn.protocolVersion, '2026-07-28');
  });

  it('is refused with a wrong secret (handshake_rejected, the server refuses server/discover)', async () => {
    // The server gets the right secret in its environment; the client presents a different one.
    const d = def('modern', {
      protocol: '2026-07-28',
      secret: { mode: 'handshake' },
      env: { MCP_SECRET_ENV_VAR: 'NOTES_SECRET', NOTES_SECRET: canary },
    });
    const m = manager(`wrong-${randomBytes(16).toString('hex')}`);
    await assert.rejects(
      m.connect(d),
      (e) =>
        isMcpSecureError(e, 'handshake_rejected') && /Unauthorized/.test((e as Error).message) && assertNoCanary(e),
    );
    assert.equal(m.state('notes').kind, 'error');
  });

  it('is refused when the client keeps the secret in the environment only (nothing in _meta)', async () => {
    await assert.rejects(
      manager().connect(def('modern', { protocol: '2026-07-28', secret: { mode: 'env' } })),
      (e) => isMcpSecureError(e, 'handshake_rejected') && assertNoCanary(e),
    );
  });

  it('refuses the 2025-11-25 default against a modern-only server with protocol_mismatch naming the fix', async () => {
    await assert.rejects(
      manager().connect(def('modern')),
      (e) =>
        isMcpSecureError(e, 'protocol_mismatch') &&
        /speaks only the 2026-07-28 protocol/.test((e as Error).message) &&
        /"2026-07-28" or "auto"/.test((e as Error).message) &&
        assertNoCanary(e),
    );
  });

  it('refuses a pinned 2026-07-28 against a 2025-only (seed-style) server with protocol_mismatch', async () => {
    await assert.rejects(
      manager().connect(def('legacy', { protocol: '2026-07-28' })),
      (e) =>
        isMcpSecureError(e, 'protocol_mismatch') &&
        /does not speak protocol 2026-07-28/.test((e as Error).message) &&
        assertNoCanary(e),
    );
  });

  it('auto falls back to the initialize handshake (clientInfo.secret) with a 2025-only seed-style server', async () => {
    const conn = await manager().connect(def('legacy', { protocol: 'auto' }));
    assert.equal(conn.protocolVersion, '2025-11-25');
    const sum = await conn.callTool('add', { a: 1, b: 2 }, { caller: 'test' });
    assert.deepEqual(sum.structuredContent, { sum: 3 });
  });
});

describe('SecretPresenter (where the secret goes on each wire)', () => {
  it('puts it in clientInfo of initialize only, and nothing after the handshake', () => {
    const p = new SecretPresenter('s');
    const init = p.outbound({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { clientInfo: { name: 'c', version: '1' } },
    });
    assert.deepEqual((init as { params: unknown }).params, { clientInfo: { name: 'c', version: '1', secret: 's' } });
    const later = { jsonrpc: '2.0' as const, id: 1, method: 'tools/list', params: {} };
    assert.equal(p.outbound(later), later);
  });

  it('puts it in _meta of every request and notification on the stateless wire, keeping other _meta keys', () => {
    const p = new SecretPresenter('s');
    const req = p.outbound({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: { progressToken: 1 } } });
    assert.deepEqual((req as { params: unknown }).params, { _meta: { progressToken: 1, [SECRET_META_KEY]: 's' } });
    const note = p.outbound({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    assert.deepEqual((note as { params: unknown }).params, { requestId: 1, _meta: { [SECRET_META_KEY]: 's' } });
    const response = { jsonrpc: '2.0' as const, id: 9, result: {} };
    assert.equal(p.outbound(response), response, 'answers are not touched');
  });
});
