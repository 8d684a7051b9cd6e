import { strict as assert } from 'node:assert';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import type { RequestAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { startModernServer, type ModernServer } from '../../fixtures/mcp/modernServer';
import { disposeWithoutLeak, httpManager } from './helpers/httpManager';

const TOKEN = 'modern-canary-token-2a8d1e';

describe('the stateless 2026-07-28 wire (SDK v2 server)', () => {
  let server: ModernServer;
  let logger: MemoryLogger;
  let manager: ConnectionManager;
  let rejections = 0;

  before(async () => {
    server = await startModernServer({ requiredToken: TOKEN });
  });
  after(() => server.close());
  beforeEach(() => {
    logger = new MemoryLogger();
    rejections = 0;
    server.requests.length = 0;
    let signedIn = false;
    const authorizer: RequestAuthorizer = {
      headersFor: async ({ url }): Promise<Record<string, string>> =>
        signedIn && url.href.startsWith(server.url) ? { Authorization: `Bearer ${TOKEN}` } : {},
      handleRejection: async ({ status }) => {
        rejections++;
        if (status !== 401 || signedIn) return 'fail';
        signedIn = true;
        return 'retry';
      },
    };
    manager = httpManager(logger, authorizer);
  });
  afterEach(() => disposeWithoutLeak(manager, logger, TOKEN));

  for (const protocol of ['auto', '2026-07-28'] as const) {
    it(`protocol ${protocol}: negotiates 2026-07-28, sends the version header and the token on every request`, async () => {
      const conn = await manager.connect(
        parseServerDefinition({ id: 'modern', transport: 'http', url: server.url, protocol }),
      );
      assert.equal(conn.protocolVersion, '2026-07-28');
      assert.deepEqual(
        (await conn.listTools()).map((t) => t.name),
        ['echo'],
      );
      const r = await conn.callTool('echo', { text: 'hi' }, { caller: 'test' });
      assert.equal(r.content[0]?.text, 'hi');
      assert.equal(rejections, 1);
      const afterSignIn = server.requests.slice(1);
      assert.deepEqual(
        afterSignIn.map((q) => q.mcpMethod),
        ['server/discover', 'tools/list', 'tools/call'],
      );
      assert.ok(afterSignIn.every((q) => q.authorization === `Bearer ${TOKEN}` && q.protocolVersion === '2026-07-28'));
      assert.ok(afterSignIn.some((q) => q.mcpMethod === 'tools/call'));
    });
  }

  it('protocol 2025-11-25: speaks initialize to the same server through its legacy leg', async () => {
    const conn = await manager.connect(
      parseServerDefinition({ id: 'modern', transport: 'http', url: server.url, protocol: '2025-11-25' }),
    );
    assert.equal(conn.protocolVersion, '2025-11-25');
    const r = await conn.callTool('echo', { text: 'old' }, { caller: 'test' });
    assert.equal(r.content[0]?.text, 'old');
  });
});
