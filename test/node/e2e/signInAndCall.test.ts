/**
 * End to end on the real core: OAuthEngine + ConnectionManager against the real authorization server
 * (oidc-provider), the real tickets MCP server and the real stdio server, with a headless Chromium
 * submitting the login and consent forms. One story, in order: sign in (lazily, on the first 401),
 * list_tickets, 403 on close_ticket refused without consent, step-up with consent, refresh with
 * rotation, sign-out with revocation at the AS.
 */
import { strict as assert } from 'node:assert';
import { isMcpSecureError } from '../../../src/core/errors';
import type { McpConnection } from '../../../src/core/mcp/mcpConnection';
import { errorText, startE2eWorld, type E2eWorld } from './e2eWorld';

describe('e2e: OAuth sign-in, tool calls, step-up, refresh and sign-out (headless browser)', function () {
  this.timeout(120_000);
  let w: E2eWorld;
  let conn: McpConnection;

  before(async () => {
    // Default per-server options: Bearer tokens (DPoP is opt-in, see e2eWorld; the tickets server accepts Bearer only).
    w = await startE2eWorld({ driver: 'browser' });
  });
  after(async () => {
    if (!w) return;
    const text = w.logger.text();
    await w.close();
    for (const t of w.tokenResponses) {
      for (const secret of [t.access_token, t.refresh_token]) {
        if (secret) assert.ok(!text.includes(secret), 'no token value ever reaches the log');
      }
    }
  });

  it('signs in on the first 401 through the browser login and consent forms', async () => {
    conn = await w.manager.connect(w.http);
    assert.equal(w.manager.state('tickets').kind, 'running');
    await w.opener.settled();
    assert.deepEqual(w.opener.failures, []);
    assert.equal(w.opener.opened.length, 1);
    const url = w.opener.opened[0]!;
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('resource'), w.demo.httpResource);
    assert.ok(url.searchParams.get('scope')?.split(' ').includes('tickets:read'));
    assert.ok(!url.searchParams.get('scope')?.split(' ').includes('tickets:write'), 'only the challenged scope');

    const grant = await w.engine.getGrant(w.httpServer);
    assert.ok(grant, 'a grant is stored');
    assert.equal(grant.issuer, w.demo.issuer);
    assert.equal(grant.resource, w.demo.httpResource);
    assert.equal(grant.subject, 'alice');
    assert.equal(grant.displayName, 'alice');
    assert.ok(grant.grantedScopes.includes('tickets:read'));
    assert.ok(!grant.grantedScopes.includes('tickets:write'));
    assert.equal(grant.hasRefreshToken, true);
    assert.ok(w.demo.authServer.interactionEvents.some((e) => e.kind === 'login' && e.username === 'alice' && e.ok));
  });

  it('calls list_tickets with the granted token, and the call is observed with all three identities', async () => {
    const result = await conn.callTool('list_tickets', {}, { caller: 'test' });
    assert.notEqual(result.isError, true);
    const record = w.observer.records.at(-1)!;
    assert.equal(record.outcome.kind, 'success');
    const grant = (await w.engine.getGrant(w.httpServer))!;
    assert.equal(record.context.human?.subject, 'alice');
    assert.deepEqual(record.context.agent, { kind: 'oauth-client', clientId: grant.clientId });
    assert.equal(record.context.server.resource, w.demo.httpResource);
    assert.ok(
      w.demo.ticketsServer.requests.every((r) => !r.tokenInUrl),
      'tokens never in URLs',
    );
    assert.ok(w.demo.ticketsServer.requests.some((r) => r.tool === 'list_tickets' && r.authScheme === 'Bearer'));
  });

  it('gets 403 insufficient_scope on close_ticket and does not widen scope when consent is refused', async () => {
    w.allowStepUp = false;
    const err = await conn.callTool('close_ticket', { id: 'T-1' }, { caller: 'test' }).then(
      () => assert.fail('close_ticket must be refused'),
      (e: unknown) => e,
    );
    assert.ok(
      isMcpSecureError(err, 'step_up_refused'),
      `expected step_up_refused, got ${errorText(err).slice(0, 300)}`,
    );
    assert.equal(w.consentRequests.length, 1);
    assert.ok(w.consentRequests[0]!.requested.includes('tickets:write'));
    assert.ok(!w.consentRequests[0]!.granted.includes('tickets:write'));
    assert.equal(w.opener.opened.length, 1, 'no new authorization request without consent');
    const outcome = w.observer.records.at(-1)!.outcome;
    assert.equal(outcome.kind, 'denied', JSON.stringify(outcome));
    assert.equal(outcome.kind === 'denied' ? outcome.status : undefined, 403);
    assert.equal(outcome.kind === 'denied' ? outcome.missingScope : undefined, 'tickets:write');
    assert.ok(
      w.demo.ticketsServer.requests.some((r) => r.tool === 'close_ticket'),
      'the 403 came from the server',
    );
  });

  it("steps up with the user's consent, re-authorizes for the union of scopes and closes the ticket", async () => {
    w.allowStepUp = true;
    const result = await conn.callTool('close_ticket', { id: 'T-1' }, { caller: 'test' });
    assert.notEqual(result.isError, true);
    await w.opener.settled();
    assert.deepEqual(w.opener.failures, []);
    assert.equal(w.opener.opened.length, 2);
    const scopes = w.opener.opened[1]!.searchParams.get('scope')?.split(' ') ?? [];
    assert.ok(scopes.includes('tickets:read') && scopes.includes('tickets:write'), 'union of granted and challenged');
    const grant = (await w.engine.getGrant(w.httpServer))!;
    assert.ok(grant.grantedScopes.includes('tickets:write'));
    assert.equal(w.observer.records.at(-1)!.outcome.kind, 'success');
  });

  it('refreshes before expiry with the resource parameter, rotating the refresh token', async () => {
    const before = w.tokenResponses.at(-1)!;
    assert.ok(before.refresh_token);
    const grant = (await w.engine.getGrant(w.httpServer))!;
    assert.ok(grant.expiresAt, 'expiry known');
    w.clock.advance(grant.expiresAt - w.clock.now());
    const token = await w.engine.getAccessToken(w.httpServer);
    assert.ok(token && token !== before.access_token, 'a fresh access token');
    const after = w.tokenResponses.at(-1)!;
    assert.ok(after.refresh_token && after.refresh_token !== before.refresh_token, 'rotated');
    const refresh = w.demo.authServer.requestLog.filter((r) => r.grantType === 'refresh_token').at(-1);
    assert.equal(refresh?.resource, w.demo.httpResource);
    assert.equal(await w.demo.authServer.refreshTokenStatus(before.refresh_token), 'consumed');
    assert.equal(await w.demo.authServer.refreshTokenStatus(after.refresh_token), 'active');
    const again = await conn.callTool('list_tickets', {}, { caller: 'test' });
    assert.notEqual(again.isError, true);
  });

  it('signs out: revokes at the AS (the refresh token is refused afterwards) and forgets the grant', async () => {
    const rt = w.tokenResponses.at(-1)!.refresh_token!;
    const clientId = (await w.engine.getGrant(w.httpServer))!.clientId;
    // oidc-provider answers RFC 7009 `unsupported_token_type` for JWT access tokens (they cannot be
    // revoked, only expire); that is no failure: the refresh token — and with it the grant — is revoked.
    await w.engine.signOut(w.httpServer);
    assert.equal(await w.engine.getGrant(w.httpServer), undefined);
    assert.ok(
      w.demo.authServer.requestLog.some((r) => r.route === 'revocation' && r.status === 200),
      'refresh token revoked',
    );
    assert.ok(w.demo.authServer.revokedGrants.length > 0, 'the grant is revoked at the AS');
    assert.equal(await w.demo.authServer.refreshTokenStatus(rt), 'unknown', 'revoked at the AS');
    // And the AS refuses it on the wire (public client: client_id in the body, RFC 6749 §6).
    const res = await fetch(`${w.demo.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: rt,
        client_id: clientId,
        resource: w.demo.httpResource,
      }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error?: string }).error, 'invalid_grant');
    for (const key of w.secrets.keys()) {
      assert.ok(!(await w.secrets.get(key))?.includes(rt), 'nothing of the grant remains in the store');
    }
  });
});
