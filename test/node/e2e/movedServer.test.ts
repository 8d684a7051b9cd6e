/**
 * Issue 7 item 3 on the real authorization servers (oidc-provider) and real tickets MCP servers: a
 * sign-in belongs to the server it was issued for, not to the id. The user signs in to server A; then
 * the id `tickets` is pointed at server B (another port, its own AS) — the user edited the URL, or a
 * trusted workspace defines the same id — and the editor restarts over the same SecretStorage. B must
 * count as signed out, sign in afresh at its own AS, and neither B nor B's AS may ever see A's tokens
 * (asserted at the fixtures' request logs). A's AS sees no refresh or revocation of the old grant either.
 */
import { strict as assert } from 'node:assert';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { credentialHash } from '../../fixtures/mcp/ticketsServer';
import { startE2eWorld, type E2eWorld } from './e2eWorld';

describe('e2e: a server id pointed at another server is a new server (real AS)', function () {
  this.timeout(90_000);
  let demoA: DemoServers;
  let demoB: DemoServers;
  const worlds: E2eWorld[] = [];

  before(async () => {
    demoA = await startDemoServers();
    demoB = await startDemoServers();
  });
  after(async () => {
    for (const w of worlds) await w.close();
    await demoA?.close();
    await demoB?.close();
  });

  it("never presents, refreshes or revokes server A's grant at server B or its AS; B signs in afresh", async () => {
    const a = await startE2eWorld({ driver: 'forms', demo: demoA });
    worlds.push(a);
    await a.engine.signIn(a.httpServer, { scopes: ['tickets:read'] });
    const oldTokens = a.tokenResponses.at(-1)!;
    assert.ok(oldTokens.access_token && oldTokens.refresh_token);
    const aLogBefore = demoA.authServer.requestLog.length;

    // Restart over the same store with `tickets` now defined at B; A's token is due for refresh there.
    const b = await startE2eWorld({ driver: 'forms', demo: demoB, secrets: a.secrets });
    worlds.push(b);
    b.clock.advance(10 * 60_000);
    assert.equal(b.http.url, demoB.httpMcpUrl);
    const before = { grant: await b.engine.getGrant(b.httpServer), token: await b.engine.getAccessToken(b.httpServer) };

    const conn = await b.manager.connect(b.http);
    const result = await conn.callTool('list_tickets', {}, { caller: 'test' });
    const grant = await b.engine.getGrant(b.httpServer);
    await b.engine.signOut(b.httpServer);

    const oldHash = credentialHash(oldTokens.access_token!);
    const asB = demoB.authServer.requestLog;
    assert.deepEqual(
      {
        before,
        isError: result.isError === true,
        issuer: grant?.issuer,
        oldTokenAtB: demoB.ticketsServer.requests.filter((r) => r.credentialSha256 === oldHash).length,
        refreshesAtAsB: asB.filter((r) => r.grantType === 'refresh_token').length,
        revocationsAtAsB: asB.filter((r) => r.route === 'revocation').length,
        oldGrantTouchedAtAsA: demoA.authServer.requestLog
          .slice(aLogBefore)
          .filter((r) => r.grantType === 'refresh_token' || r.route === 'revocation').length,
      },
      {
        before: { grant: undefined, token: undefined },
        isError: false,
        issuer: demoB.issuer,
        oldTokenAtB: 0,
        refreshesAtAsB: 0,
        revocationsAtAsB: 2, // B's own grant, revoked at sign-out (refresh token, then access token)
        oldGrantTouchedAtAsA: 0,
      },
    );
  });
});
