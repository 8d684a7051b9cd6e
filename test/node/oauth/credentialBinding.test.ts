/**
 * Credentials are bound to what they were issued for (issue 7, items 3, 4, 6, 7): a grant to its server
 * URL, issuer and client; a pre-registered client to one issuer; every engine operation runs with the
 * server's own options, also right after a restart; and a 401 naming wider scopes is a step-up.
 * Every assertion about "never sent" is made at the receiving server's request log.
 */
import assert from 'node:assert/strict';
import { ManualClock, MemorySecretStore } from '../../../src/core/memoryPorts';
import type { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import type { OAuthEngineOptions, OAuthServer, StoredGrant } from '../../../src/core/oauth/types';
import { callThrough } from './support/callThrough';
import { codeOf } from './support/codeOf';
import { FakeAuthServer, type FakeAsConfig } from './support/fakeAuthServer';
import { disposeEnginesAndServers, testEngine } from './support/testEngine';

describe('OAuthEngine: credentials stay with what they were issued for', () => {
  const servers: FakeAuthServer[] = [];
  const engines: OAuthEngine[] = [];
  let secrets: MemorySecretStore;
  let clock: ManualClock;

  async function startAs(config: FakeAsConfig = {}): Promise<FakeAuthServer> {
    const s = await new FakeAuthServer(config).start();
    servers.push(s);
    return s;
  }
  /** A new engine over the same SecretStore: what a restart of the editor (or another CLI run) is. */
  function engine(extra: Partial<OAuthEngineOptions> = {}): OAuthEngine {
    return testEngine(engines, secrets, clock, extra);
  }
  async function storedGrant(id: string): Promise<StoredGrant | undefined> {
    const raw = await secrets.get(`mcpSecure.oauth.grant.${id}`);
    return raw ? (JSON.parse(raw) as StoredGrant) : undefined;
  }
  beforeEach(() => {
    secrets = new MemorySecretStore();
    clock = new ManualClock(Date.now());
  });
  afterEach(() => disposeEnginesAndServers(engines, servers));

  describe('a grant belongs to its server URL and issuer (item 3)', () => {
    it('after the id is pointed at another server, refresh and requests never carry the old tokens there; the new server signs in afresh', async () => {
      // 2025-03-26 servers (no PRM): the AS is rediscovered at the server's origin — the leak the issue reproduced.
      const a = await startAs({ prmPath: null, expiresIn: 120 });
      const b = await startAs({ prmPath: null, expiresIn: 120 });
      await engine().signIn({ id: 'srv', url: a.mcpUrl });
      const old = (await storedGrant('srv'))!;
      clock.advance(90_000); // the old access token is now due for refresh
      const e = engine(); // after a restart (or in another window): nothing cached about the old URL
      const moved: OAuthServer = { id: 'srv', url: b.mcpUrl };

      const seen = { grant: await e.getGrant(moved), token: await e.getAccessToken(moved) };
      const call = await callThrough(e.authorizerFor(moved), b.mcpUrl);
      assert.deepEqual(
        {
          seen,
          call: call.status,
          issuer: (await e.getGrant(moved))?.issuer,
          atB: b.requestsCarrying([old.accessToken, old.refreshToken!]).length,
          refreshedAtA: a.requestsTo('/token').filter((r) => r.body.grant_type === 'refresh_token').length,
        },
        { seen: { grant: undefined, token: undefined }, call: 200, issuer: b.issuer, atB: 0, refreshedAtA: 0 },
      );
    });

    it('signing out of the changed definition forgets the old grant without sending it to either server', async () => {
      const a = await startAs({ prmPath: null });
      const b = await startAs({ prmPath: null });
      await engine().signIn({ id: 'srv', url: a.mcpUrl });
      const e = engine();
      const before = a.requests.length;
      await e.signOut({ id: 'srv', url: b.mcpUrl });
      assert.deepEqual(
        { b: b.requests.length, a: a.requests.length - before, stored: await storedGrant('srv') },
        { b: 0, a: 0, stored: undefined },
      );
    });

    it('a grant of another client (clientId changed in the definition) is not used', async () => {
      const a = await startAs();
      const e = engine();
      await e.signIn({ id: 'srv', url: a.mcpUrl, options: { clientId: 'first' } });
      assert.equal(await e.getGrant({ id: 'srv', url: a.mcpUrl, options: { clientId: 'second' } }), undefined);
      assert.equal(await e.getGrant({ id: 'srv', url: a.mcpUrl }), undefined, 'nor by a dynamic client');
      assert.ok(await e.getGrant({ id: 'srv', url: a.mcpUrl, options: { clientId: 'first' } }));
    });
  });

  describe('a pre-registered client is pinned to one issuer (item 4)', () => {
    const secret = 'CANARY-client-secret-4f1e';

    it('records the issuer at the first sign-in; when the resource later names another AS, the secret is never sent there', async () => {
      const a = await startAs();
      const b = await startAs();
      const server = { id: 'srv', url: a.mcpUrl, options: { clientId: 'pre-1', clientSecret: secret } };
      const e = engine({ consent: async () => true });
      await e.signIn(server);
      assert.ok(a.requestsCarrying([secret]).length > 0, 'the secret was used at its own AS');
      a.config.authorizationServers = [b.issuer];
      a.rejectTokens.add((await e.getAccessToken(server))!);
      const outcomes = [
        await codeOf(e.signIn(server)),
        await codeOf(callThrough(engine().authorizerFor(server), a.mcpUrl)),
      ];
      assert.deepEqual(
        { outcomes, atB: b.requestsCarrying([secret]).length, tokenAtB: b.requestsTo('/token').length },
        { outcomes: ['client_issuer_mismatch', 'client_issuer_mismatch'], atB: 0, tokenAtB: 0 },
      );
    });

    it('an explicit oauth.issuer refuses any other issuer from the first use, and picks itself among several', async () => {
      const a = await startAs();
      const b = await startAs();
      const e = engine();
      const pinnedToB = {
        id: 'srv',
        url: a.mcpUrl,
        options: { clientId: 'pre-1', clientSecret: secret, issuer: b.issuer },
      };
      assert.equal(await codeOf(e.signIn(pinnedToB)), 'client_issuer_mismatch');
      assert.equal(a.requestsCarrying([secret]).length, 0);
      a.config.authorizationServers = [a.issuer, b.issuer];
      const g = await e.signIn(pinnedToB);
      assert.deepEqual([g.issuer, a.requestsCarrying([secret]).length], [b.issuer, 0]);
    });
  });

  describe('the server options are an input of every operation, also after a restart (item 6)', () => {
    it('refreshes a pre-registered client as itself after a restart (no dynamic registration, its own credentials)', async () => {
      const as = await startAs({ expiresIn: 120 });
      const server = { id: 'srv', url: as.mcpUrl, options: { clientId: 'pre-1', clientSecret: 'pre-secret' } };
      await engine().signIn(server);
      clock.advance(90_000);
      const restarted = engine();
      assert.ok(await restarted.getAccessToken(server));
      const refresh = as.requestsTo('/token').find((r) => r.body.grant_type === 'refresh_token');
      const basic = Buffer.from(String(refresh?.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
      assert.deepEqual(
        { basic, registrations: as.registrations.length },
        { basic: 'pre-1:pre-secret', registrations: 0 },
      );
    });

    it("keeps resourceParameter 'omit' on the first refresh after a restart", async () => {
      const as = await startAs({ expiresIn: 120 });
      const server = { id: 'srv', url: as.mcpUrl, options: { resourceParameter: 'omit' as const } };
      await engine().signIn(server);
      clock.advance(90_000);
      assert.ok(await engine().getAccessToken(server));
      const bodies = as
        .requestsTo('/token')
        .map((r) => ({ grant: r.body.grant_type, resource: r.body.resource, audience: r.body.audience }));
      assert.deepEqual(bodies, [
        { grant: 'authorization_code', resource: undefined, audience: undefined },
        { grant: 'refresh_token', resource: undefined, audience: undefined },
      ]);
    });
  });

  describe('a 401 naming wider scopes is a step-up (item 7)', () => {
    it('asks consent before re-authorizing for the union, and refuses without it', async () => {
      const as = await startAs({ prmScopes: ['tickets:read'] });
      const asked: { granted: string[]; requested: string[] }[] = [];
      let answer = false;
      const e = engine({
        consent: async (r) => {
          asked.push({ granted: r.granted, requested: r.requested });
          return answer;
        },
      });
      const server = { id: 'srv', url: as.mcpUrl };
      await e.signIn(server);
      as.config.unauthorizedScopes = ['tickets:read', 'tickets:write'];
      const refused = await codeOf(callThrough(e.authorizerFor(server), as.mcpUrl));
      const authorizeAfterRefusal = as.requestsTo('/authorize').length;
      answer = true;
      const granted = await callThrough(e.authorizerFor(server), as.mcpUrl);
      assert.deepEqual(
        {
          refused,
          authorizeAfterRefusal,
          asked,
          status: granted.status,
          scope: as.requestsTo('/authorize').at(-1)?.query.scope,
        },
        {
          refused: 'step_up_refused',
          authorizeAfterRefusal: 1,
          status: 200,
          scope: 'tickets:read tickets:write',
          asked: [
            { granted: ['tickets:read'], requested: ['tickets:read', 'tickets:write'] },
            { granted: ['tickets:read'], requested: ['tickets:read', 'tickets:write'] },
          ],
        },
      );
    });
  });
});
