/**
 * Settings take effect at once (issue 12, item 6): the engine reads `redirectTimeoutMs` and
 * `clientMetadataUrl` from its options at every sign-in, so a host that passes getters over its
 * settings changes the next sign-in without a restart.
 */
import assert from 'node:assert/strict';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import type { OAuthEngineOptions } from '../../../src/core/oauth/types';
import { codeOf } from './support/codeOf';
import { FakeAuthServer, headlessOpener } from './support/fakeAuthServer';

describe('OAuthEngine: options read at every sign-in', () => {
  let as: FakeAuthServer;
  beforeEach(async () => {
    as = await new FakeAuthServer({ cimd: true }).start();
  });
  afterEach(async () => as.close());

  it('uses a client metadata URL set after construction for the next sign-in', async () => {
    const live = { clientMetadataUrl: undefined as string | undefined };
    const engine = new OAuthEngine({
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      opener: headlessOpener(),
      redirectTimeoutMs: 5000,
      get clientMetadataUrl() {
        return live.clientMetadataUrl;
      },
    } satisfies OAuthEngineOptions);
    const server = { id: 'mcp', url: as.mcpUrl };
    assert.equal((await engine.signIn(server)).clientKind, 'dynamic');
    await engine.signOut(server);
    live.clientMetadataUrl = 'https://client.example.com/oauth/metadata.json';
    const second = await engine.signIn(server);
    assert.equal(second.clientKind, 'cimd');
    assert.equal(second.clientId, live.clientMetadataUrl);
    engine.dispose();
  });

  it('uses a shortened redirect wait for the next sign-in', async () => {
    const live = { redirectTimeoutMs: 60_000 };
    const engine = new OAuthEngine({
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      opener: { open: async () => undefined },
      get redirectTimeoutMs() {
        return live.redirectTimeoutMs;
      },
    } satisfies OAuthEngineOptions);
    live.redirectTimeoutMs = 200;
    assert.equal(await codeOf(engine.signIn({ id: 'mcp', url: as.mcpUrl })), 'authorization_timeout');
    engine.dispose();
  });
});
