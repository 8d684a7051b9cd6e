import assert from 'node:assert/strict';
import { isMcpSecureError } from '../../../src/core/errors';
import { ManualClock, MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import type { OAuthEngineOptions, OAuthServer } from '../../../src/core/oauth/types';
import { callThrough } from './support/callThrough';
import { FakeAuthServer, type FakeAsConfig, headlessOpener } from './support/fakeAuthServer';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(isMcpSecureError(err), `expected McpSecureError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('OAuthEngine against a real local authorization server', () => {
  let as: FakeAuthServer;
  let secrets: MemorySecretStore;
  let logger: MemoryLogger;
  let clock: ManualClock;
  let engines: OAuthEngine[] = [];

  async function setup(
    config: FakeAsConfig = {},
    extra: Partial<OAuthEngineOptions> = {},
  ): Promise<{ engine: OAuthEngine; server: OAuthServer }> {
    as = await new FakeAuthServer(config).start();
    secrets = new MemorySecretStore();
    logger = new MemoryLogger();
    clock = new ManualClock(Date.now());
    const engine = new OAuthEngine({
      secrets,
      logger,
      clock,
      opener: headlessOpener(),
      redirectTimeoutMs: 5000,
      ...extra,
    });
    engines.push(engine);
    return { engine, server: { id: 'srv', url: as.mcpUrl } };
  }

  afterEach(async () => {
    for (const e of engines) e.dispose();
    engines = [];
    await as?.close();
  });

  it('signs in lazily on the first 401 with PKCE S256, state, iss and the exact PRM resource', async () => {
    const { engine, server } = await setup({
      issSupported: true,
      prmScopes: ['tickets:read'],
      asScopes: ['tickets:read', 'admin', 'offline_access'],
    });
    const result = await callThrough(engine.authorizerFor(server), as.mcpUrl);
    assert.deepEqual(result, { status: 200, attempts: 2 });
    const authorize = as.requestsTo('/authorize')[0]!;
    const token = as.requestsTo('/token')[0]!;
    const sent = {
      method: authorize.query.code_challenge_method,
      resource: authorize.query.resource,
      tokenResource: token.body.resource,
      scope: authorize.query.scope,
      app: as.registrations[0]?.application_type,
      redirect: authorize.query.redirect_uri?.startsWith('http://127.0.0.1:'),
    };
    assert.deepEqual(sent, {
      method: 'S256',
      resource: as.mcpUrl,
      tokenResource: as.mcpUrl,
      scope: 'offline_access tickets:read',
      app: 'native',
      redirect: true,
    });
    const grant = await engine.getGrant(server);
    assert.deepEqual(
      {
        scopes: grant?.grantedScopes,
        sub: grant?.subject,
        name: grant?.displayName,
        kind: grant?.clientKind,
        type: grant?.tokenType,
      },
      { scopes: ['offline_access', 'tickets:read'], sub: 'user-1', name: 'alice', kind: 'dynamic', type: 'Bearer' },
    );
  });

  it('uses the challenge scope first and omits scope when nothing names one (never AS scopes_supported)', async () => {
    const { engine, server } = await setup({ challengeScope: 'mcp:basic', asScopes: ['everything'] });
    await callThrough(engine.authorizerFor(server), as.mcpUrl);
    assert.equal(as.requestsTo('/authorize')[0]?.query.scope, 'mcp:basic');
    await as.close();
    const second = await setup({ asScopes: ['everything'] });
    await second.engine.signIn(second.server);
    assert.equal('scope' in (as.requestsTo('/authorize')[0]?.query ?? {}), false);
  });

  it('sends the resource exactly as the PRM publishes it (no trailing slash added)', async () => {
    const { engine, server } = await setup({ prmPath: '/.well-known/oauth-protected-resource' });
    as.config.prmResource = as.origin; // pathless
    await engine.signIn(server);
    assert.deepEqual(
      [as.requestsTo('/authorize')[0]?.query.resource, as.requestsTo('/token')[0]?.body.resource],
      [as.origin, as.origin],
    );
  });

  for (const [name, config, code] of [
    ['iss missing although advertised', { issSupported: true, issInRedirect: 'omit' }, 'iss_mismatch'],
    ['iss wrong', { issSupported: true, issInRedirect: 'wrong' }, 'iss_mismatch'],
    ['iss wrong and not advertised', { issInRedirect: 'wrong' }, 'iss_mismatch'],
    ['iss differing only by a trailing slash', { issSupported: true, issInRedirect: 'normalized' }, 'iss_mismatch'],
    ['metadata issuer differs', { metadataIssuer: 'https://attacker.example.com' }, 'issuer_mismatch'],
    ['PRM resource names another server', { prmResource: 'https://evil.example.com/mcp' }, 'resource_mismatch'],
    ['no code_challenge_methods_supported', { codeChallengeMethods: null }, 'pkce_unsupported'],
    ['plain-only PKCE', { codeChallengeMethods: ['plain'] }, 'pkce_unsupported'],
    ['malformed metadata JSON', { metadataBody: '{"issuer": ' }, 'invalid_metadata'],
    [
      'oversized metadata',
      { metadataBody: JSON.stringify({ issuer: 'x', pad: 'a'.repeat(300_000) }) },
      'metadata_too_large',
    ],
  ] as [string, FakeAsConfig, string][]) {
    it(`refuses: ${name} -> ${code}, and never reaches the token endpoint`, async () => {
      const { engine, server } = await setup(config);
      await rejectsWith(engine.signIn(server), code);
      assert.equal(as.requestsTo('/token').length, 0);
      assert.equal(await engine.getGrant(server), undefined);
    });
  }

  it('accepts a callback without iss when the AS does not advertise it', async () => {
    const { engine, server } = await setup({ issInRedirect: 'omit' });
    assert.equal((await engine.signIn(server)).serverId, 'srv');
  });

  it('on iss mismatch never surfaces the error_description', async () => {
    const { engine, server } = await setup({
      issInRedirect: 'wrong',
      authorizeError: { error: 'access_denied', description: 'click-here-evil-text' },
    });
    const err = await rejectsWith(engine.signIn(server), 'iss_mismatch');
    assert.ok(!err.message.includes('click-here-evil-text'));
    assert.ok(!logger.text().includes('click-here-evil-text'));
  });

  it('assumes S256 only with the explicit per-server override', async () => {
    const { engine } = await setup({ codeChallengeMethods: null });
    await engine.signIn({ id: 'srv', url: as.mcpUrl, options: { pkce: 'assume-s256' } });
    assert.equal(as.requestsTo('/authorize')[0]?.query.code_challenge_method, 'S256');
  });

  it('uses the CIMD URL as client_id when the AS supports it, and a pre-registered client first', async () => {
    const cimd = 'https://conformance-test.local/client-metadata.json';
    const { engine, server } = await setup({ cimd: true }, { clientMetadataUrl: cimd });
    assert.equal((await engine.signIn(server)).clientId, cimd);
    assert.equal(as.registrations.length, 0);
    const pre = await engine.signIn({ ...server, options: { clientId: 'pre-1' } });
    assert.deepEqual(
      [pre.clientId, pre.clientKind, as.requestsTo('/authorize')[1]?.query.client_id],
      ['pre-1', 'preregistered', 'pre-1'],
    );
  });

  it('reuses a dynamically registered client only with the same issuer', async () => {
    const { engine, server } = await setup();
    await engine.signIn(server);
    await engine.signIn(server);
    assert.equal(as.registrations.length, 1);
    const other = await new FakeAuthServer().start();
    try {
      const g = await engine.signIn({ id: 'other', url: other.mcpUrl });
      assert.deepEqual([other.registrations.length, g.issuer], [1, other.issuer]);
    } finally {
      await other.close();
    }
  });

  it('supports resourceParameter audience and omit', async () => {
    const { engine } = await setup();
    await engine.signIn({
      id: 'a',
      url: as.mcpUrl,
      options: { resourceParameter: 'audience', audience: 'api://tickets' },
    });
    await engine.signIn({ id: 'b', url: as.mcpUrl, options: { resourceParameter: 'omit' } });
    const [a, b] = as.requestsTo('/authorize');
    assert.deepEqual(
      [a?.query.audience, a?.query.resource, b?.query.audience, b?.query.resource],
      ['api://tickets', undefined, undefined, undefined],
    );
  });

  it('refreshes proactively before expiry, once for concurrent callers, with resource and rotation', async () => {
    const { engine, server } = await setup({ expiresIn: 120 });
    await engine.signIn(server);
    const first = await engine.getAccessToken(server);
    clock.advance(90_000);
    const [a, b, c] = await Promise.all([
      engine.getAccessToken(server),
      engine.getAccessToken(server),
      engine.getAccessToken(server),
    ]);
    const refreshes = as.requestsTo('/token').filter((r) => r.body.grant_type === 'refresh_token');
    assert.deepEqual(
      { n: refreshes.length, same: a === b && b === c, changed: a !== first, resource: refreshes[0]?.body.resource },
      { n: 1, same: true, changed: true, resource: as.mcpUrl },
    );
    clock.advance(90_000);
    await engine.getAccessToken(server); // the rotated refresh token must work
    assert.equal(as.requestsTo('/token').filter((r) => r.body.grant_type === 'refresh_token').length, 2);
  });

  it('keeps the grant on a transient refresh failure and drops it on invalid_grant', async () => {
    const { engine, server } = await setup({ expiresIn: 120 });
    await engine.signIn(server);
    clock.advance(90_000);
    as.config.refreshFailure = 'server_error';
    await rejectsWith(engine.getAccessToken(server), 'refresh_failed_transient');
    assert.ok(await engine.getGrant(server));
    as.config.refreshFailure = 'invalid_grant';
    const changes: string[] = [];
    engine.onDidChangeGrants((id) => changes.push(id));
    await rejectsWith(engine.getAccessToken(server), 'refresh_failed_permanent');
    assert.deepEqual([await engine.getGrant(server), changes], [undefined, ['srv']]);
  });

  it('revokes refresh then access token on sign-out; a failed revocation still deletes and reports', async () => {
    const { engine, server } = await setup();
    await engine.signIn(server);
    await engine.signOut(server);
    assert.deepEqual(
      [as.revoked.length, as.revoked[0]?.startsWith('rt-'), await engine.getGrant(server)],
      [2, true, undefined],
    );
    await engine.signIn(server);
    as.config.revokeFailure = true;
    await rejectsWith(engine.signOut(server), 'revocation_failed');
    assert.equal(await engine.getGrant(server), undefined);
  });

  it('signs out when the AS refuses to revoke the access token with unsupported_token_type (RFC 7009 §2.2.1)', async () => {
    const { engine, server } = await setup({ revokeAccessUnsupported: true });
    await engine.signIn(server);
    const token = (await engine.getAccessToken(server))!;
    await engine.signOut(server);
    assert.deepEqual(
      [as.revoked.length, as.revoked[0]?.startsWith('rt-'), await engine.getGrant(server)],
      [1, true, undefined],
    );
    assert.equal(as.requestsTo('/revoke').length, 2, 'both tokens were offered for revocation');
    assert.ok(
      logger.lines.some((l) => l.level === 'info' && l.text.includes('unsupported_token_type')),
      logger.text(),
    );
    assert.ok(!logger.lines.some((l) => l.level === 'warn' || l.level === 'error'), logger.text());
    assert.ok(!logger.text().includes(token), 'no token value in the log');
  });

  it('steps up on 403 insufficient_scope with consent, requesting the union', async () => {
    const asked: { granted: string[]; requested: string[] }[] = [];
    const { engine, server } = await setup(
      { prmScopes: ['tickets:read'], requiredScopes: ['tickets:read', 'tickets:write'] },
      {
        consent: async (r) => {
          asked.push({ granted: r.granted, requested: r.requested });
          return true;
        },
      },
    );
    const res = await callThrough(engine.authorizerFor(server), as.mcpUrl);
    assert.deepEqual(
      { res, asked, last: as.requestsTo('/authorize').at(-1)?.query.scope },
      {
        res: { status: 200, attempts: 3 },
        asked: [{ granted: ['tickets:read'], requested: ['tickets:read', 'tickets:write'] }],
        last: 'tickets:read tickets:write',
      },
    );
  });

  it('refuses step-up without consent, and stops with step_up_limit when scopes are never granted', async () => {
    const { engine, server } = await setup({
      requiredScopes: ['mcp:admin'],
      challengeScope: 'mcp:admin',
      grantOnly: ['mcp:basic'],
    });
    await rejectsWith(callThrough(engine.authorizerFor(server), as.mcpUrl), 'step_up_refused');
    const e2 = new OAuthEngine({ secrets, logger, clock, opener: headlessOpener(), consent: async () => true });
    engines.push(e2);
    await rejectsWith(callThrough(e2.authorizerFor({ id: 'srv2', url: as.mcpUrl }), as.mcpUrl), 'step_up_limit');
    // Bounded, and exactly so (one client, fixed scopes): three requests for mcp:admin, two for the union
    // mcp:admin + mcp:basic, then step_up_limit. A sixth would be an attempt past the limit.
    assert.deepEqual(
      as.requestsTo('/authorize').map((r) => r.query.scope),
      ['mcp:admin', 'mcp:admin', 'mcp:admin', 'mcp:admin mcp:basic', 'mcp:admin mcp:basic'],
    );
  });

  it('never attaches the token to a URL outside the protected resource', async () => {
    const { engine, server } = await setup();
    await engine.signIn(server);
    const authz = engine.authorizerFor(server);
    const inside = await authz.headersFor({ url: new URL(as.mcpUrl), method: 'POST' });
    const foreign = await authz.headersFor({ url: new URL('http://127.0.0.2:1/mcp'), method: 'POST' });
    const sibling = await authz.headersFor({ url: new URL(`${as.origin}/other`), method: 'POST' });
    assert.deepEqual([!!inside.authorization, foreign, sibling], [true, {}, {}]);
  });

  it('binds tokens with DPoP and retries with the server nonce at the token endpoint and the resource', async () => {
    const { engine, server: plain } = await setup({ dpopAlgs: ['ES256'], dpopNonce: true });
    const server = { ...plain, options: { dpop: true } };
    const res = await callThrough(engine.authorizerFor(server), as.mcpUrl);
    const mcp = as.requestsTo('/mcp').filter((r) => r.headers.authorization);
    assert.deepEqual(
      {
        status: res.status,
        type: (await engine.getGrant(server))?.tokenType,
        scheme: String(mcp[0]?.headers.authorization).split(' ')[0],
        proof: !!mcp.at(-1)?.headers.dpop,
      },
      { status: 200, type: 'DPoP', scheme: 'DPoP', proof: true },
    );
    assert.deepEqual(
      as.requestsTo('/token').map((r) => r.headers.dpop !== undefined),
      [true, true],
      'one token request refused for want of the nonce, then exactly one retry with it',
    );
  });

  it('DPoP is opt-in: Bearer by default even when the AS advertises it; "auto" uses it only when advertised', async () => {
    const { engine, server } = await setup({ dpopAlgs: ['ES256'] });
    const bearer = await engine.signIn(server);
    assert.equal(bearer.tokenType, 'Bearer');
    const tokenCalls = as.requestsTo('/token');
    assert.ok(tokenCalls.length > 0 && tokenCalls.every((r) => !r.headers.dpop), 'no DPoP proof sent by default');
    assert.equal(as.requestsTo('/authorize').at(-1)?.query.dpop_jkt, undefined);
    assert.equal((await engine.signIn({ ...server, options: { dpop: 'auto' } })).tokenType, 'DPoP');
    as.config.dpopAlgs = undefined;
    assert.equal((await engine.signIn({ ...server, id: 'other', options: { dpop: 'auto' } })).tokenType, 'Bearer');
  });

  it('runs client credentials with client_secret_basic', async () => {
    const { engine, server } = await setup();
    const g = await engine.signIn({
      ...server,
      options: { grant: 'client_credentials', clientId: 'm2m', clientSecret: 'sekret' },
    });
    const tokenReq = as.requestsTo('/token')[0]!;
    assert.deepEqual(
      [g.grant, String(tokenReq.headers.authorization).startsWith('Basic '), tokenReq.body.resource],
      ['client_credentials', true, as.mcpUrl],
    );
  });

  it('falls back to 2025-03-26 discovery (AS at the server origin) when there is no PRM', async () => {
    const { engine, server } = await setup({ prmPath: null });
    const g = await engine.signIn(server);
    assert.equal(g.issuer, as.origin);
  });

  it('never leaks the canary secrets into logs or error messages', async () => {
    const canary = 'CANARY-7f3a9c-SECRET';
    const { engine, server } = await setup({ refreshFailure: 'invalid_grant', expiresIn: 120 });
    const messages: string[] = [];
    const preregistered = { ...server, options: { clientId: 'c', clientSecret: canary } };
    await engine.signIn(preregistered);
    const stored = JSON.parse((await secrets.get('mcpSecure.oauth.grant.srv'))!) as {
      refreshToken: string;
      accessToken: string;
    };
    clock.advance(90_000);
    try {
      await engine.getAccessToken(preregistered);
    } catch (e) {
      messages.push(String(e), JSON.stringify(e));
    }
    try {
      await engine.signIn({
        id: 'x',
        url: `${as.origin}/mcp`,
        options: { clientId: 'c', clientSecret: canary, grant: 'client_credentials', resourceParameter: 'omit' },
      });
    } catch (e) {
      messages.push(String(e));
    }
    as.config.metadataIssuer = 'https://evil.example';
    try {
      await engine.signIn({ ...server, options: { clientSecret: canary, clientId: 'c' } });
    } catch (e) {
      messages.push(String(e));
    }
    const all = `${logger.text()}\n${messages.join('\n')}`;
    for (const secret of [canary, stored.refreshToken, stored.accessToken])
      assert.ok(!all.includes(secret), 'secret leaked');
  });
  it('reports registration_failed when the AS offers no DCR and no client is configured', async () => {
    const { engine, server } = await setup({ dcr: false });
    await rejectsWith(engine.signIn(server), 'registration_failed');
  });

  it('maps an authorization error to authorization_denied with sanitised text', async () => {
    const { engine, server } = await setup({
      authorizeError: { error: 'access_denied', description: 'User said no <b>[link](command:x)</b>' },
    });
    const err = await rejectsWith(engine.signIn(server), 'authorization_denied');
    assert.ok(!/[<>[\]]/.test(err.message), err.message);
  });

  it('times out and cancels a sign-in whose redirect never arrives, leaving nothing stored', async () => {
    const silent = { open: async (): Promise<void> => undefined };
    const { server } = await setup({}, {});
    const timing = new OAuthEngine({ secrets, logger, clock, opener: silent, redirectTimeoutMs: 50 });
    engines.push(timing);
    await rejectsWith(timing.signIn(server), 'authorization_timeout');
    const ac = new AbortController();
    const cancelling = new OAuthEngine({ secrets, logger, clock, opener: { open: async () => ac.abort() } });
    engines.push(cancelling);
    await rejectsWith(cancelling.signIn(server, { signal: ac.signal }), 'authorization_cancelled');
    assert.deepEqual([await timing.getGrant(server), as.requestsTo('/token').length], [undefined, 0]);
  });

  it('re-runs a non-interactive grant when its token expires (no refresh token needed)', async () => {
    const { engine, server } = await setup({ expiresIn: 120 });
    const cc = { ...server, options: { grant: 'client_credentials' as const, clientId: 'm2m', clientSecret: 's' } };
    await engine.signIn(cc);
    const first = await engine.getAccessToken(cc);
    clock.advance(200_000);
    const second = await engine.getAccessToken(cc);
    assert.ok(second && second !== first);
  });
  it('reports an opener failure as authorization_cancelled and closes the listener', async () => {
    const { server } = await setup();
    const broken = new OAuthEngine({
      secrets,
      logger,
      clock,
      opener: {
        open: async () => {
          throw new Error('no browser');
        },
      },
    });
    engines.push(broken);
    await rejectsWith(broken.signIn(server), 'authorization_cancelled');
    assert.equal(as.requestsTo('/token').length, 0);
  });
  it('forgets a dynamic client the AS no longer knows (invalid_client) and registers afresh', async () => {
    const { engine, server } = await setup();
    await engine.signIn(server);
    as.config.invalidClient = true;
    await rejectsWith(engine.signIn(server), 'token_request_failed');
    as.config.invalidClient = false;
    await engine.signIn(server);
    assert.equal(as.registrations.length, 2);
  });

  it('keeps the PKCE verifier, a DCR client secret and tokens out of logs and errors, even on failures', async () => {
    const canary = 'CANARY-dcr-5e1f-SECRET';
    const { engine, server } = await setup({ dcrSecret: canary, refreshFailure: 'server_error', expiresIn: 120 });
    const errors: string[] = [];
    await engine.signIn(server);
    clock.advance(90_000);
    try {
      await engine.getAccessToken(server);
    } catch (e) {
      errors.push(String(e), JSON.stringify(e));
    }
    as.config.invalidClient = true;
    try {
      await engine.signIn(server);
    } catch (e) {
      errors.push(String(e), JSON.stringify(e));
    }
    const verifiers = as
      .requestsTo('/token')
      .map((r) => r.body.code_verifier)
      .filter((v): v is string => !!v);
    const grant = JSON.parse((await secrets.get('mcpSecure.oauth.grant.srv'))!) as {
      accessToken: string;
      refreshToken: string;
    };
    const text = `${logger.text()}\n${errors.join('\n')}`;
    assert.ok(verifiers.length >= 2 && errors.length === 4);
    for (const secret of [canary, grant.accessToken, grant.refreshToken, ...verifiers])
      assert.ok(!text.includes(secret), 'secret leaked');
  });
  for (const hostile of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>1</script>',
    'ms-settings:privacy',
    'http://as.example/authorize',
  ]) {
    it(`never opens a hostile authorization endpoint: ${hostile.slice(0, 24)}`, async () => {
      const opener = headlessOpener();
      const { server } = await setup({ authorizationEndpoint: hostile });
      const e = new OAuthEngine({ secrets, logger, clock, opener });
      engines.push(e);
      await rejectsWith(e.signIn(server), 'insecure_url');
      assert.deepEqual([opener.log.length, as.registrations.length], [0, 0]);
    });
  }

  it('dpop_failed when DPoP is demanded but not offered; discovery_failed without AS metadata; not_signed_in', async () => {
    const { engine, server } = await setup();
    await rejectsWith(engine.signIn({ ...server, options: { dpop: true } }), 'dpop_failed');
    as.config.authorizationServers = [`${as.origin}/nowhere`];
    await rejectsWith(engine.signIn(server), 'discovery_failed');
    await rejectsWith(engine.refresh({ id: 'unknown', url: as.mcpUrl }), 'not_signed_in');
  });
  it('keeps the grant when the AS is unreachable during refresh (network error is transient)', async () => {
    const { engine, server } = await setup({ expiresIn: 120 });
    await engine.signIn(server);
    await as.close();
    clock.advance(90_000);
    await rejectsWith(engine.getAccessToken(server), 'refresh_failed_transient');
    assert.ok(await engine.getGrant(server));
  });
  it('retries a refresh without scope when the AS refuses the explicit scope (invalid_scope)', async () => {
    const { engine, server } = await setup({
      expiresIn: 120,
      prmScopes: ['tickets:read'],
      refreshFailure: 'scope_refused',
    });
    await engine.signIn(server);
    clock.advance(90_000);
    assert.ok(await engine.getAccessToken(server));
    const refreshes = as.requestsTo('/token').filter((r) => r.body.grant_type === 'refresh_token');
    assert.deepEqual(
      refreshes.map((r) => r.body.scope),
      ['tickets:read', undefined],
    );
  });
});
