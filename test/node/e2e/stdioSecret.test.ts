/**
 * End to end: the demo stdio server (SDK 1.x, checks its shared secret) through the real
 * ConnectionManager — connects with the CSPRNG secret, refuses to run without it.
 */
import { strict as assert } from 'node:assert';
import { isMcpSecureError } from '../../../src/core/errors';
import { secretFingerprint } from '../../../src/core/mcp/stdioSecret';
import { startE2eWorld, type E2eWorld } from './e2eWorld';

describe('e2e: stdio server with a shared secret', function () {
  this.timeout(60_000);
  let w: E2eWorld;

  before(async () => {
    w = await startE2eWorld({ driver: 'forms' });
  });
  after(async () => {
    if (!w) return;
    await w.close();
    assert.ok(!w.logger.text().includes(w.stdioSecret), 'the shared secret never reaches the log');
  });

  it('connects with the secret (environment + handshake) and calls a tool', async () => {
    const conn = await w.manager.connect(w.stdio('both'));
    const tools = await conn.listTools();
    assert.ok(tools.some((t) => t.name === 'echo'));
    const result = await conn.callTool('echo', { text: 'hello' }, { caller: 'test' });
    assert.notEqual(result.isError, true);
    const record = w.observer.records.at(-1)!;
    assert.deepEqual(record.context.agent, { kind: 'shared-secret', fingerprint: secretFingerprint(w.stdioSecret) });
    assert.ok(!JSON.stringify(w.observer.records).includes(w.stdioSecret));
  });

  it('refuses when the server gets no secret, or the handshake does not present it', async () => {
    for (const mode of ['none', 'env'] as const) {
      const def = w.stdio(mode);
      const err = await w.manager.connect(def).then(
        () => assert.fail(`mode ${mode} must not connect`),
        (e: unknown) => e,
      );
      assert.ok(isMcpSecureError(err), `mode ${mode}: a typed error`);
      assert.equal(w.manager.state(def.id).kind, 'error');
    }
  });
});
