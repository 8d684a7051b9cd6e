import assert from 'node:assert/strict';
import { ManualClock, MemorySecretStore } from '../../../src/core/memoryPorts';
import type { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import type { OAuthServer } from '../../../src/core/oauth/types';
import { codeOf } from './support/codeOf';
import { FakeAuthServer, type FakeAsConfig } from './support/fakeAuthServer';
import { disposeEnginesAndServers, testEngine } from './support/testEngine';

/**
 * Every authorization-server exchange is bounded in size and time (issue 7 item 8): real local HTTP
 * endpoints that never answer, or stream a body that never ends, fail with typed errors instead of
 * hanging Connect or filling memory.
 */
describe('OAuth responses are bounded in size and time (real hostile endpoints)', () => {
  const servers: FakeAuthServer[] = [];
  const engines: OAuthEngine[] = [];
  let secrets: MemorySecretStore;
  let clock: ManualClock;

  async function setup(
    config: FakeAsConfig = {},
  ): Promise<{ as: FakeAuthServer; engine: OAuthEngine; server: OAuthServer }> {
    const as = await new FakeAuthServer(config).start();
    servers.push(as);
    const engine = testEngine(engines, secrets, clock, { requestTimeoutMs: 400 });
    return { as, engine, server: { id: 'srv', url: as.mcpUrl } };
  }
  beforeEach(() => {
    secrets = new MemorySecretStore();
    clock = new ManualClock(Date.now());
  });
  afterEach(() => disposeEnginesAndServers(engines, servers));

  it('a registration endpoint that never answers fails Connect with request_timeout instead of hanging', async () => {
    const { engine, server } = await setup({ misbehave: { '/register': 'silent' } });
    assert.equal(await codeOf(engine.signIn(server)), 'request_timeout');
  });

  it('an endless or oversized registration response is refused (response_too_large)', async () => {
    const endless = await setup({ misbehave: { '/register': 'endless' }, endlessStatus: 201 });
    const huge = await setup({ misbehave: { '/register': 'huge' }, endlessStatus: 201 });
    assert.deepEqual(
      [await codeOf(endless.engine.signIn(endless.server)), await codeOf(huge.engine.signIn(huge.server))],
      ['response_too_large', 'response_too_large'],
    );
  });

  it('an endless token response and a silent token endpoint fail the code exchange with typed errors', async () => {
    const endless = await setup({ misbehave: { '/token': 'endless' } });
    const silent = await setup({ misbehave: { '/token': 'silent' } });
    assert.deepEqual(
      [await codeOf(endless.engine.signIn(endless.server)), await codeOf(silent.engine.signIn(silent.server))],
      ['response_too_large', 'request_timeout'],
    );
    assert.equal(await endless.engine.getGrant(endless.server), undefined);
  });

  it('an endless refresh response is a transient failure that keeps the grant', async () => {
    const { as, engine, server } = await setup({ expiresIn: 120 });
    await engine.signIn(server);
    clock.advance(90_000);
    as.config.misbehave = { '/token': 'endless' };
    assert.equal(await codeOf(engine.getAccessToken(server)), 'refresh_failed_transient');
    as.config.misbehave = { '/token': 'silent' };
    assert.equal(await codeOf(engine.refresh(server)), 'refresh_failed_transient');
    assert.equal((await engine.getGrant(server))?.hasRefreshToken, true);
  });

  it('a revocation endpoint that never answers or never ends does not hang sign-out', async () => {
    const silent = await setup({ misbehave: { '/revoke': 'silent' } });
    const silentServer = { ...silent.server, id: 'silent' };
    await silent.engine.signIn(silentServer);
    const endless = await setup({ misbehave: { '/revoke': 'endless' }, endlessStatus: 400 });
    const endlessServer = { ...endless.server, id: 'endless' };
    await endless.engine.signIn(endlessServer);
    assert.deepEqual(
      [await codeOf(silent.engine.signOut(silentServer)), await codeOf(endless.engine.signOut(endlessServer))],
      ['revocation_failed', 'revocation_failed'],
    );
    assert.deepEqual(
      [await silent.engine.getGrant(silentServer), await endless.engine.getGrant(endlessServer)],
      [undefined, undefined],
    );
  });

  it('an endless or silent IdP token-exchange response fails the enterprise grant with typed errors', async () => {
    const { as, engine } = await setup();
    const endlessIdp = await new FakeAuthServer({ misbehave: { '/token': 'endless' } }).start();
    const silentIdp = await new FakeAuthServer({ misbehave: { '/token': 'silent' } }).start();
    servers.push(endlessIdp, silentIdp);
    const viaIdp = (idp: FakeAuthServer, id: string): OAuthServer => ({
      id,
      url: as.mcpUrl,
      options: {
        grant: 'token_exchange',
        clientId: 'app',
        enterprise: { tokenEndpoint: `${idp.origin}/token`, clientId: 'idp-app', idToken: 'id-token-1' },
      },
    });
    assert.deepEqual(
      [await codeOf(engine.signIn(viaIdp(endlessIdp, 'e1'))), await codeOf(engine.signIn(viaIdp(silentIdp, 'e2')))],
      ['response_too_large', 'request_timeout'],
    );
  });
});
