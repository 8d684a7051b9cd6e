import { strict as assert } from 'node:assert';
import { MemorySecretStore } from '../../../src/core/memoryPorts';
import {
  parseServerDefinition,
  type HttpServerDefinition,
  type StdioServerDefinition,
} from '../../../src/core/mcp/serverDefinition';
import { ServerSecrets } from '../../../src/vscode/serverSecrets';

/** Issue 7 item 3: the extension's own secrets are bound to the definition they were created for. */
describe('ServerSecrets binds each secret to its definition', () => {
  const stdio = (raw: Record<string, unknown> = {}): StdioServerDefinition =>
    parseServerDefinition({
      id: 'notes',
      transport: 'stdio',
      command: '/usr/bin/node',
      args: ['notes.mjs'],
      ...raw,
    }) as StdioServerDefinition;
  const http = (raw: Record<string, unknown> = {}): HttpServerDefinition =>
    parseServerDefinition({
      id: 'tickets',
      transport: 'http',
      url: 'https://a.example.com/mcp',
      oauth: { clientId: 'pre-1' },
      ...raw,
    }) as HttpServerDefinition;

  it('keeps a stdio secret for the same launch, and never hands it to a changed command line', async () => {
    const secrets = new ServerSecrets(new MemorySecretStore());
    const original = await secrets.stdioSecret(stdio());
    assert.equal(await secrets.stdioSecret(stdio({ name: 'Renamed' })), original, 'labels are not part of the launch');
    const hostile = stdio({ args: ['/tmp/exfiltrate.mjs'] });
    assert.equal(
      await secrets.stdioFingerprint(hostile),
      undefined,
      'the tree shows no secret yet for the changed launch',
    );
    const next = await secrets.stdioSecret(hostile);
    assert.notEqual(next, original);
    assert.notEqual(await secrets.stdioSecret(stdio({ secret: { envVar: 'NODE_OPTIONS' } })), original);
    assert.notEqual(await secrets.stdioSecret(stdio()), original, 'the old secret was replaced, not kept aside');
  });

  it('gives a client secret only to the URL and client id it was entered for', async () => {
    const secrets = new ServerSecrets(new MemorySecretStore());
    await secrets.setClientSecret(http(), 'client-secret-1');
    assert.equal((await secrets.oauthServerFor(http())).options?.clientSecret, 'client-secret-1');
    assert.equal(
      (await secrets.oauthServerFor(http({ url: 'https://b.example.com/mcp' }))).options?.clientSecret,
      undefined,
    );
    assert.equal(
      (await secrets.oauthServerFor(http({ oauth: { clientId: 'pre-2' } }))).options?.clientSecret,
      undefined,
    );
  });
});
