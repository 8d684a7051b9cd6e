import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { completeAuthorizationWithForms } from '../../fixtures/auth/formLogin';
import {
  HTTP_ID,
  fixtureServersReady,
  flatten,
  formOpener,
  serverEntries,
  setServers,
  waitFor,
  type Fixtures,
} from './helpers';

/**
 * The HTTP tickets server behind the oidc-provider AS: sign-in through the auth provider (PKCE, the
 * form login standing in for the browser), identities and granted scopes in the tree, step-up with
 * consent, an audited palette tool call, and sign-out.
 */
describe('HTTP MCP server with OAuth', () => {
  let api: McpSecureApi;
  let f: Fixtures;
  const events: vscode.AuthenticationProviderAuthenticationSessionsChangeEvent[] = [];
  const disposables: vscode.Disposable[] = [];

  before(async () => {
    ({ f, api } = await fixtureServersReady([HTTP_ID], (a) =>
      disposables.push(a.onDidChangeSessions((e) => events.push(e))),
    ));
  });

  after(async () => {
    await api.signOut(HTTP_ID).catch(() => undefined);
    await api.disconnect(HTTP_ID).catch(() => undefined);
    vscode.Disposable.from(...disposables).dispose();
    await setServers(undefined);
  });

  it('starts signed out: no session, the tree offers sign-in', async () => {
    assert.deepEqual(await api.sessions([`server:${HTTP_ID}`]), []);
    const server = (await api.tree()).find((n) => n.label === 'Integration Tickets');
    assert.ok(server, flatten(await api.tree()).join('\n'));
    assert.equal(server.contextValue, 'server:http:stopped:signedOut');
  });

  it('a cancelled or refused sign-in leaves no half-written state', async () => {
    await assert.rejects(
      api.signIn(HTTP_ID, async () => {
        throw new Error('the user closed the browser');
      }),
      (e: { code?: string }) => e.code === 'authorization_cancelled',
    );
    await assert.rejects(
      api.signIn(HTTP_ID, async (url) => {
        await completeAuthorizationWithForms(url, f.user, { consent: false });
      }),
      (e: { code?: string; message?: string }) =>
        e.code === 'authorization_denied' && /access_denied/.test(e.message ?? ''),
    );
    assert.equal(await api.grant(HTTP_ID), undefined);
    assert.equal(await api.hasStoredGrant(HTTP_ID), false);
    assert.deepEqual(await api.sessions([`server:${HTTP_ID}`]), []);
    assert.ok(!events.some((e) => e.added?.length), 'no session was announced');
  });

  it('signs in with authorization code + PKCE; the session names the account from the token', async () => {
    const opened: URL[] = [];
    const result = await api.signIn(HTTP_ID, formOpener(f.user, opened), ['tickets:read']);
    assert.equal(opened.length, 1);
    assert.equal(opened[0]?.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(opened[0]?.searchParams.get('resource'), 'RFC 8707 resource parameter sent');
    assert.equal(result.account, f.user.username);
    assert.ok(
      result.scopes.includes(`server:${HTTP_ID}`) && result.scopes.includes('tickets:read'),
      result.scopes.join(' '),
    );

    const sessions = await api.sessions([`server:${HTTP_ID}`]);
    assert.deepEqual(
      sessions.map((s) => [s.id, s.account]),
      [[HTTP_ID, f.user.username]],
    );
    await waitFor(() => events.some((e) => e.added?.some((s) => s.id === HTTP_ID)), 'onDidChangeSessions(added)');

    const getAccounts = (
      vscode.authentication as { getAccounts?: (id: string) => Thenable<readonly { label: string }[]> }
    ).getAccounts;
    if (getAccounts) {
      const accounts = await getAccounts('mcp-secure');
      assert.ok(
        accounts.some((a) => a.label === f.user.username),
        JSON.stringify(accounts),
      );
    }
  });

  it('connects, lists tools, and shows the three identities and the granted scopes', async () => {
    const state = await api.connect(HTTP_ID);
    assert.equal(state.kind, 'running');
    assert.deepEqual((await api.listTools(HTTP_ID)).sort(), ['close_ticket', 'list_tickets', 'whoami']);
    const grant = await api.grant(HTTP_ID);
    assert.ok(grant);
    const lines = await waitFor(async () => {
      const l = flatten(await api.tree());
      return l.some((x) => x.includes('[server:http:running:signedIn]')) ? l : undefined;
    }, 'the running server in the tree');
    const text = lines.join('\n');
    assert.match(text, new RegExp(`Human: — ${f.user.username} \\[identity:human\\]`));
    assert.match(text, new RegExp(`Agent: — OAuth client ${escape(grant.clientId)} \\[identity:agent\\]`));
    assert.match(
      text,
      new RegExp(`Server: — ${escape(grant.resource)} — issuer ${escape(grant.issuer)} \\[identity:server\\]`),
    );
    assert.match(text, /tickets:read — granted \[scope:granted\]/);
    // offline_access never appears in a resource-bound JWT's scope claim: the refresh token is the grant.
    assert.ok(grant.requestedScopes.includes('offline_access'), grant.requestedScopes.join(' '));
    assert.equal(grant.hasRefreshToken, true);
    assert.match(text, /offline_access — granted \[scope:granted\]/);
    assert.doesNotMatch(text, /not granted/);
    assert.match(text, /Token expires/);
    assert.match(text, /list_tickets.*\[tool:available\]/);
  });

  it('step-up: refused consent denies the call and locks the tool; accepted consent widens the grant', async () => {
    const asked: { granted: readonly string[]; requested: readonly string[] }[] = [];
    const refuse = api.useStepUpConsent(async (req) => {
      asked.push(req);
      return false;
    });
    await assert.rejects(
      api.callTool(HTTP_ID, 'close_ticket', { id: 'T-1' }),
      (e: { code?: string }) => e.code === 'step_up_refused',
    );
    refuse.dispose();
    assert.ok(asked[0]?.requested.includes('tickets:write'), JSON.stringify(asked));
    await waitFor(
      async () => flatten(await api.tree()).some((l) => /close_ticket.*tickets:write.*\[tool:locked\]/.test(l)),
      'a lock on close_ticket',
    );

    const accept = api.useStepUpConsent(async () => true);
    const opener = api.useOpener(formOpener(f.user));
    try {
      const result = await api.callTool(HTTP_ID, 'close_ticket', { id: 'T-1' });
      assert.equal(result.isError, false, JSON.stringify(result.raw));
    } finally {
      accept.dispose();
      opener.dispose();
    }
    const grant = await api.grant(HTTP_ID);
    assert.ok(grant?.grantedScopes.includes('tickets:write'), grant?.grantedScopes.join(' '));
    await waitFor(
      async () => flatten(await api.tree()).some((l) => /close_ticket.*\[tool:available\]/.test(l)),
      'close_ticket unlocked',
    );
  });

  it('a tool call from the command palette produces an audit record naming human, agent and caller', async () => {
    const asked: unknown[] = [];
    const confirm = api.useConfirmation('callTool', async (r) => {
      asked.push(r.args);
      return true;
    });
    const result = (await vscode.commands
      .executeCommand('mcpSecure.callTool', HTTP_ID, 'list_tickets', { status: 'all' })
      .then(
        (r) => r,
        (e: unknown) => {
          confirm.dispose();
          throw e;
        },
      )) as { isError: boolean };
    confirm.dispose();
    assert.deepEqual(asked, [{ status: 'all' }], 'arguments handed to the command are confirmed, not sent unasked');
    assert.equal(result.isError, false);
    const shown = await waitFor(
      () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'mcp-secure-result'),
      'the result editor',
    );
    assert.equal(shown.document.isDirty, false, 'results open read-only, never dirty');
    assert.ok(JSON.parse(shown.document.getText()).content, 'the raw tools/call result as JSON');
    const record = await waitFor(
      async () => (await api.auditRecords()).find((r) => r.what.tool === 'list_tickets' && r.who.caller === 'palette'),
      'the audit record',
    );
    assert.equal(record.what.server.id, HTTP_ID);
    assert.equal(record.outcome.kind, 'success');
    assert.equal(record.who.human?.displayName, f.user.username);
    assert.equal(record.who.agent.kind, 'oauth-client');
    assert.ok(record.scopes.includes('tickets:read'));
  });

  it('sessions follow SecretStorage changes made by another window', async () => {
    assert.equal(await api.hasStoredGrant(HTTP_ID), true, 'the grant lives in SecretStorage');
    const seen = events.length;
    const detached = await api.detachStoredGrant(HTTP_ID); // what another window's sign-out does to the shared storage
    await waitFor(
      () => events.slice(seen).some((e) => e.removed?.some((s) => s.id === HTTP_ID)),
      'removed after the external delete',
    );
    await detached.restore();
    await waitFor(
      () => events.slice(seen).some((e) => e.added?.some((s) => s.id === HTTP_ID)),
      'added after the external write',
    );
    assert.equal((await api.sessions([`server:${HTTP_ID}`])).length, 1);
  });

  it('the id pointed at another URL is a new server: disconnected, signed out, no session; pointed back, the sign-in returns', async () => {
    await api.connect(HTTP_ID);
    const seen = events.length;
    const moved = serverEntries(f).map((e) =>
      e.id === HTTP_ID ? { ...e, url: new URL('/elsewhere/mcp', f.httpUrl).href } : e,
    );
    await setServers(moved);
    await waitFor(
      async () => (await api.tree()).find((n) => n.contextValue === 'server:http:stopped:signedOut'),
      'the moved server shown signed out and stopped',
    );
    assert.equal(await api.grant(HTTP_ID), undefined);
    assert.deepEqual(await api.sessions([`server:${HTTP_ID}`]), []);
    await waitFor(
      () => events.slice(seen).some((e) => e.removed?.some((s) => s.id === HTTP_ID)),
      'the session removed for the moved server',
    );
    assert.ok(
      await api.hasStoredGrant(HTTP_ID),
      'the old grant is kept (unused) until a new sign-in, sign-out or removal',
    );
    await setServers(serverEntries(f));
    await waitFor(
      async () => (await api.tree()).find((n) => n.contextValue === 'server:http:stopped:signedIn'),
      'signed in again at the original URL',
    );
    assert.equal((await api.sessions([`server:${HTTP_ID}`])).length, 1);
  });

  it('signs out: the grant is revoked and removed and the session disappears', async () => {
    await api.signOut(HTTP_ID);
    assert.equal(await api.grant(HTTP_ID), undefined);
    assert.deepEqual(await api.sessions([`server:${HTTP_ID}`]), []);
    await waitFor(() => events.some((e) => e.removed?.some((s) => s.id === HTTP_ID)), 'onDidChangeSessions(removed)');
    assert.equal(api.state(HTTP_ID).kind, 'stopped');
    const server = await waitFor(
      async () => (await api.tree()).find((n) => n.contextValue === 'server:http:stopped:signedOut'),
      'signed-out tree item',
    );
    assert.ok(flatten(server.children).some((l) => l.includes('Human: — not signed in')));
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
