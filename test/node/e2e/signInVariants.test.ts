/**
 * End to end on the real OAuthEngine against the real AS (form driver as the user): a denied
 * consent, a login the user abandons after a wrong password (cancelled through the AbortSignal), and
 * a DPoP-bound grant (RFC 9449) on an AS that demands nonces, refreshed and revoked.
 */
import { strict as assert } from 'node:assert';
import { decodeJwt } from 'jose';
import { isMcpSecureError } from '../../../src/core/errors';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { errorText, startE2eWorld, type E2eWorld } from './e2eWorld';

describe('e2e: sign-in refusals and DPoP on the real engine', function () {
  this.timeout(60_000);
  let demo: DemoServers;
  const worlds: E2eWorld[] = [];

  before(async () => {
    demo = await startDemoServers({ auth: { dpopRequireNonce: true } });
  });
  after(async () => {
    for (const w of worlds) await w.close();
    await demo.close();
  });

  async function world(oauth?: Record<string, unknown>): Promise<E2eWorld> {
    const w = await startE2eWorld({ driver: 'forms', demo, oauth });
    worlds.push(w);
    return w;
  }

  it('consent denied at the AS -> authorization_denied, nothing stored', async () => {
    const w = await world();
    w.opener.consent = false;
    const err = await w.engine.signIn(w.httpServer, { scopes: ['tickets:read'] }).then(
      () => assert.fail('must be denied'),
      (e: unknown) => e,
    );
    assert.ok(isMcpSecureError(err, 'authorization_denied'), errorText(err).slice(0, 300));
    assert.equal(await w.engine.getGrant(w.httpServer), undefined);
    assert.deepEqual(
      w.secrets.keys().filter((k) => k.includes('grant')),
      [],
    );
  });

  it('a wrong password keeps the user on the login page; cancelling the sign-in ends it cleanly', async () => {
    const w = await world();
    w.opener.user = { username: 'alice', password: 'wrong-password' };
    const abort = new AbortController();
    const failure = w.opener.nextFailure();
    const signIn = w.engine.signIn(w.httpServer, { scopes: ['tickets:read'], signal: abort.signal }).then(
      () => assert.fail('must not sign in'),
      (e: unknown) => e,
    );
    assert.match(String(await failure), /login rejected for alice/);
    abort.abort();
    const err = await signIn;
    assert.ok(
      isMcpSecureError(err) && ['authorization_cancelled', 'cancelled'].includes(err.code),
      errorText(err).slice(0, 300),
    );
    assert.equal(await w.engine.getGrant(w.httpServer), undefined);
    assert.ok(demo.authServer.interactionEvents.some((e) => e.kind === 'login' && !e.ok));
  });

  it('gets a DPoP-bound token through the AS nonce challenge, refreshes it with the same key, and signs out', async () => {
    const w = await world({ dpop: true });
    const grant = await w.engine.signIn(w.httpServer, { scopes: ['tickets:read'] });
    assert.equal(grant.tokenType, 'DPoP');
    const first = w.tokenResponses.at(-1)!;
    const jkt = (decodeJwt(first.access_token!) as { cnf?: { jkt?: string } }).cnf?.jkt;
    assert.ok(jkt, 'cnf.jkt in the access token');
    const tokenCalls = demo.authServer.requestLog.filter((r) => r.route === 'token' && r.dpop);
    assert.ok(
      tokenCalls.some((r) => r.status === 400) && tokenCalls.some((r) => r.status === 200),
      'nonce challenge, then success',
    );

    w.clock.advance((grant.expiresAt ?? w.clock.now()) - w.clock.now());
    assert.ok(await w.engine.getAccessToken(w.httpServer));
    const second = w.tokenResponses.at(-1)!;
    assert.notEqual(second.refresh_token, first.refresh_token, 'rotated');
    assert.equal(
      (decodeJwt(second.access_token!) as { cnf?: { jkt?: string } }).cnf?.jkt,
      jkt,
      'same key after refresh',
    );
    assert.equal(await demo.authServer.refreshTokenStatus(first.refresh_token!), 'consumed');

    // JWT access tokens are not revocable at oidc-provider (RFC 7009 unsupported_token_type): sign-out still succeeds.
    await w.engine.signOut(w.httpServer);
    assert.equal(await w.engine.getGrant(w.httpServer), undefined);
    assert.equal(await demo.authServer.refreshTokenStatus(second.refresh_token!), 'unknown', 'revoked at the AS');
    // And the AS refuses the old refresh token on the wire (the status check above tells it is gone, not just unbound).
    const res = await fetch(`${demo.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: second.refresh_token!,
        client_id: grant.clientId,
        resource: demo.httpResource,
      }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error?: string }).error, 'invalid_grant');
  });
});
