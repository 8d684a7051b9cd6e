import { strict as assert } from 'node:assert';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { startSessionServer, type SessionServer } from '../../fixtures/mcp/sessionServer';

/**
 * The editor's path (ConnectionManager, as the extension builds it) against a real stateful SDK server:
 * disconnecting, and disposing every connection on shutdown, end the HTTP session with DELETE
 * (MCP transports 2025-11-25 §Session Management), so servers that cap open sessions keep accepting.
 */
describe('HTTP sessions end on close (real stateful SDK server)', () => {
  let server: SessionServer;
  before(async () => {
    server = await startSessionServer();
  });
  after(() => server.close());

  it('disconnect and disposeAll send DELETE with the session id; the server holds no session afterwards', async () => {
    const manager = new ConnectionManager({
      logger: new MemoryLogger(),
      authorizerFor: () => ({ headersFor: async () => ({}), handleRejection: async () => 'fail' }),
      stdioSecretFor: async () => 'unused',
      requestTimeoutMs: 10_000,
    });
    const def = (id: string) => parseServerDefinition({ id, name: id, transport: 'http', url: server.url });
    await manager.connect(def('first'));
    await manager.connect(def('second'));
    assert.equal(server.openSessions(), 2);
    await manager.disconnect('first');
    assert.equal(server.openSessions(), 1, server.requests.join('\n'));
    await manager.disposeAll();
    assert.equal(server.openSessions(), 0, server.requests.join('\n'));
    assert.equal(server.requests.filter((r) => r.startsWith('DELETE ')).length, 2);
  });
});
