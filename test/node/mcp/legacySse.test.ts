import { strict as assert } from 'node:assert';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import type { RequestAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { startLegacySseServer, type LegacySseServer } from '../../fixtures/mcp/legacySseServer';
import { disposeWithoutLeak, httpManager } from './helpers/httpManager';

const TOKEN = 'legacy-sse-canary-91c3';

describe('legacy HTTP+SSE fallback against an SDK 1.x SSEServerTransport server', () => {
  let server: LegacySseServer;
  let logger: MemoryLogger;
  let manager: ConnectionManager;

  before(async () => {
    server = await startLegacySseServer({ requiredToken: TOKEN });
  });
  after(() => server.close());
  beforeEach(() => {
    logger = new MemoryLogger();
    const authorizer: RequestAuthorizer = {
      headersFor: async () => ({ Authorization: `Bearer ${TOKEN}` }),
      handleRejection: async () => 'fail',
    };
    manager = httpManager(logger, authorizer);
  });
  afterEach(() => disposeWithoutLeak(manager, logger, TOKEN));

  for (const protocol of ['auto', '2025-11-25'] as const) {
    it(`protocol ${protocol}: falls back after the 405, and the token rides on the stream and every POST`, async () => {
      const conn = await manager.connect(
        parseServerDefinition({ id: 'old', transport: 'http', url: server.url, protocol }),
      );
      assert.equal(conn.wire, 'sse');
      assert.equal(manager.state('old').kind, 'running');
      const r = await conn.callTool('echo', { text: 'still here' }, { caller: 'test' });
      assert.equal(r.content[0]?.text, 'still here');
      assert.ok(server.requests.some((q) => q.method === 'GET' && q.path === '/mcp'));
      assert.ok(server.requests.filter((q) => q.path === '/messages').length >= 3);
      assert.ok(server.requests.every((q) => q.authorization === `Bearer ${TOKEN}`));
    });
  }

  it('refuses the fallback when the definition pins 2026-07-28', async () => {
    await assert.rejects(
      manager.connect(parseServerDefinition({ id: 'old', transport: 'http', url: server.url, protocol: '2026-07-28' })),
    );
    assert.equal(manager.state('old').kind, 'error');
  });
});
