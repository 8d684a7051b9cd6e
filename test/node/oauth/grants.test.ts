import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ManualClock, MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import { callThrough } from './support/callThrough';
import { FakeAuthServer, headlessOpener } from './support/fakeAuthServer';
import { codeOf } from './support/codeOf';

describe('OAuthEngine grants, refresh on 401, two windows, and AS migration', () => {
  const servers: FakeAuthServer[] = [];
  const engines: OAuthEngine[] = [];
  let secrets: MemorySecretStore;
  let logger: MemoryLogger;
  let clock: ManualClock;

  async function startAs(config: ConstructorParameters<typeof FakeAuthServer>[0] = {}): Promise<FakeAuthServer> {
    const s = await new FakeAuthServer(config).start();
    servers.push(s);
    return s;
  }
  function engine(extra: Partial<ConstructorParameters<typeof OAuthEngine>[0]> = {}): OAuthEngine {
    const e = new OAuthEngine({ secrets, logger, clock, opener: headlessOpener(), redirectTimeoutMs: 5000, ...extra });
    engines.push(e);
    return e;
  }
  beforeEach(() => {
    secrets = new MemorySecretStore();
    logger = new MemoryLogger();
    clock = new ManualClock(Date.now());
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) e.dispose();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('client credentials with private_key_jwt (RFC 7523 §2.2)', async () => {
    const as = await startAs();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const g = await engine().signIn({
      id: 's',
      url: as.mcpUrl,
      options: { grant: 'client_credentials', clientId: 'm2m', privateKeyPem: pem },
    });
    const body = as.requestsTo('/token')[0]!.body;
    const claims = decodeJwt(body.client_assertion ?? '');
    assert.deepEqual(
      [g.grant, body.client_assertion_type, claims.iss, claims.sub, body.resource],
      ['client_credentials', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'm2m', 'm2m', as.mcpUrl],
    );
  });

  it('JWT bearer with a given assertion; a refused assertion fails once, without retry or fallback', async () => {
    const as = await startAs();
    const e = engine();
    const ok = await e.signIn({
      id: 'w',
      url: as.mcpUrl,
      options: { grant: 'jwt_bearer', clientId: 'wl', assertion: 'good-assertion' },
    });
    assert.equal(ok.grant, 'jwt_bearer');
    const bad = {
      id: 'b',
      url: as.mcpUrl,
      options: { grant: 'jwt_bearer' as const, clientId: 'wl', assertion: 'bad-assertion' },
    };
    assert.equal(await codeOf(callThrough(e.authorizerFor(bad), as.mcpUrl)), 'token_request_failed');
    assert.equal(as.requestsTo('/token').filter((r) => r.body.assertion === 'bad-assertion').length, 1);
    assert.ok(!as.requestsTo('/token').some((r) => r.body.grant_type === 'authorization_code'));
  });

  it('enterprise-managed: RFC 8693 token exchange at the IdP, then JWT bearer at the AS', async () => {
    const as = await startAs();
    const idp = await startAs();
    const g = await engine().signIn({
      id: 'e',
      url: as.mcpUrl,
      options: {
        grant: 'token_exchange',
        clientId: 'app',
        clientSecret: 'app-secret',
        enterprise: { tokenEndpoint: `${idp.origin}/token`, clientId: 'idp-app', idToken: 'id-token-1' },
      },
    });
    const exchange = idp.requestsTo('/token')[0]!.body;
    const bearer = as.requestsTo('/token')[0]!.body;
    assert.deepEqual(
      [exchange.audience, exchange.resource, exchange.client_id, bearer.assertion, g.grant],
      [as.issuer, as.mcpUrl, 'idp-app', `id-jag-for-${as.issuer}`, 'token_exchange'],
    );
  });

  it('refreshes (instead of signing in again) when the server rejects a token on 401', async () => {
    const as = await startAs();
    const opener = headlessOpener();
    const e = engine({ opener });
    const server = { id: 's', url: as.mcpUrl };
    await e.signIn(server);
    as.rejectTokens.add((await e.getAccessToken(server))!);
    const res = await callThrough(e.authorizerFor(server), as.mcpUrl);
    assert.deepEqual(
      [res.status, opener.log.length, as.requestsTo('/token').map((r) => r.body.grant_type)],
      [200, 1, ['authorization_code', 'refresh_token']],
    );
  });

  it('two windows refreshing the same rotating grant end with one valid grant', async () => {
    const as = await startAs({ expiresIn: 120 });
    const w1 = engine();
    const w2 = engine();
    const server = { id: 's', url: as.mcpUrl };
    await w1.signIn(server);
    clock.advance(90_000);
    const [t1, t2] = await Promise.all([w1.getAccessToken(server), w2.getAccessToken(server)]);
    const stored = await w1.getGrant(server);
    assert.ok(stored && t1 && t2, 'both windows got a token and the grant survives');
    clock.advance(90_000);
    assert.ok(await w2.getAccessToken(server), 'the surviving refresh token still works');
  });

  it('re-registers with a new AS when the PRM names another issuer, never reusing the old client', async () => {
    const as1 = await startAs();
    const as2 = await startAs();
    const e = engine();
    const server = { id: 's', url: as1.mcpUrl };
    await e.signIn(server);
    const oldClient = as1.requestsTo('/authorize')[0]!.query.client_id;
    as1.config.authorizationServers = [as2.issuer];
    as1.rejectTokens.add((await e.getAccessToken(server))!);
    const res = await callThrough(e.authorizerFor(server), as1.mcpUrl);
    const g = await e.getGrant(server);
    const usedAtAs2 = [
      ...as2.requestsTo('/authorize').map((r) => r.query.client_id),
      ...as2.requestsTo('/token').map((r) => r.body.client_id),
    ];
    assert.deepEqual(
      [res.status, g?.issuer, as2.registrations.length, usedAtAs2.includes(oldClient)],
      [200, as2.issuer, 1, false],
    );
    assert.equal(as1.requestsTo('/token').filter((r) => r.body.grant_type === 'refresh_token').length, 0);
  });

  it('keeps a DPoP-bound grant usable after a restart (key persisted with the grant)', async () => {
    const as = await startAs({ dpopAlgs: ['ES256'] });
    await engine().signIn({ id: 's', url: as.mcpUrl, options: { dpop: true } });
    const restarted = engine();
    const res = await callThrough(
      restarted.authorizerFor({ id: 's', url: as.mcpUrl, options: { dpop: true } }),
      as.mcpUrl,
    );
    assert.deepEqual([res.status, res.attempts], [200, 1]);
  });
});
