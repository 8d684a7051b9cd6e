/**
 * Settings take effect at once (issue 12, item 6): a request deadline given as a function is read at
 * every request, so a changed `requestTimeoutSeconds` applies to a connection that is already open.
 */
import { strict as assert } from 'node:assert';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret } from '../../../src/core/mcp/stdioSecret';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import { codeOf } from '../oauth/support/codeOf';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';

describe('ConnectionManager: a live request deadline', () => {
  it('applies a shortened deadline to the next call on an open connection', async () => {
    const { command, args } = stdioServerCommand();
    const def = parseServerDefinition({
      id: 'notes',
      name: 'Notes',
      transport: 'stdio',
      command,
      args,
    }) as StdioServerDefinition;
    let deadlineMs = 60_000;
    let answer: ((v: { action: 'accept'; content: Record<string, unknown> }) => void) | undefined;
    const asked: string[] = [];
    const manager = new ConnectionManager({
      logger: new MemoryLogger(),
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => generateSharedSecret(),
      requestTimeoutMs: () => deadlineMs,
      // `greet` waits for the user's answer: the call is only as long as the deadline lets it be.
      elicitation: () =>
        new Promise((resolve) => {
          asked.push('greet');
          answer = resolve;
        }),
    });
    try {
      const conn = await manager.connect(def);
      const first = conn.callTool('greet', {}, { caller: 'test' });
      while (!answer) await new Promise((r) => setTimeout(r, 10));
      answer({ action: 'accept', content: { name: 'Ada', excited: false } });
      assert.equal((await first).content[0]?.text, 'Hello, Ada.');
      deadlineMs = 300;
      assert.equal(await codeOf(conn.callTool('greet', {}, { caller: 'test' })), 'request_timeout');
      assert.equal(asked.length, 2);
    } finally {
      await manager.disposeAll();
    }
  });
});
