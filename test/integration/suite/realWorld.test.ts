import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { closedPort } from '../../fixtures/closedPort';
import { startMisconfiguredServer } from '../../fixtures/auth/misconfiguredServer';
import {
  HTTP_ID,
  addOwnStdioServer,
  fixtureServersReady,
  flatten,
  formOpener,
  serverEntries,
  setServers,
  waitFor,
  type Fixtures,
} from './helpers';

/**
 * What a user meets in the first week, in the real editor against the fixture authorization server: a
 * dynamic registration the AS no longer knows, and the command that forgets a registration.
 */
describe('real-world failures lead somewhere (extension)', () => {
  let api: McpSecureApi;
  let f: Fixtures;

  before(async () => {
    ({ f, api } = await fixtureServersReady([HTTP_ID]));
  });

  after(async () => {
    await api.signOut(HTTP_ID).catch(() => undefined);
    await setServers(undefined);
  });

  it('a stored registration the AS does not know is detected before the browser opens, dropped and registered again', async () => {
    await api.signOut(HTTP_ID).catch(() => undefined);
    // What the store holds after the AS lost its registrations (restart of an in-memory AS, cleanup).
    await api.plantForgottenRegistration(f.issuer, 'registration-the-as-forgot');
    const opened: URL[] = [];
    const result = await api.signIn(HTTP_ID, formOpener(f.user, opened), ['tickets:read']);
    assert.equal(result.account, f.user.username);
    assert.equal(opened.length, 1);
    const clientId = opened[0]?.searchParams.get('client_id');
    assert.ok(
      clientId && clientId !== 'registration-the-as-forgot',
      `the browser was sent with a live registration, got ${clientId}`,
    );
    // OIDC Core §11: offline_access with prompt=consent, so the (default-configured) provider issues a refresh token.
    assert.equal(opened[0]?.searchParams.get('prompt'), 'consent');
    assert.equal((await api.grant(HTTP_ID))?.hasRefreshToken, true, "the sign-in survives the access token's hour");
    assert.equal(
      await api.storedRegistrationClientId(f.issuer),
      clientId,
      'the new registration replaced the forgotten one',
    );
  });

  it('sign-out says exactly what was revoked, and until when the JWT access token stays valid', async () => {
    await api.signOut(HTTP_ID);
    const report = api.lastSignOutReport() ?? '';
    assert.ok(report.includes(`Revoked at ${f.issuer}: the refresh token.`), report);
    assert.match(
      report,
      /The access token was not revoked \(the authorization server does not revoke this kind of token\) and stays valid until \d{4}-/,
    );
    await api.signIn(HTTP_ID, formOpener(f.user), ['tickets:read']);
  });

  it('"Forget client registration" signs out and drops the registration; the next sign-in registers a new client', async () => {
    const before = { clientId: await api.storedRegistrationClientId(f.issuer) };
    assert.ok(before.clientId, 'a registration is stored');
    assert.ok(await api.grant(HTTP_ID), 'signed in');
    const issuers = (await vscode.commands.executeCommand('mcpSecure.forgetClientRegistration', HTTP_ID)) as string[];
    assert.deepEqual(issuers, [f.issuer]);
    assert.equal(await api.grant(HTTP_ID), undefined, 'signed out');
    assert.equal(await api.storedRegistrationClientId(f.issuer), undefined, 'the registration is gone');
    await waitFor(async () => (await api.sessions([`server:${HTTP_ID}`])).length === 0, 'the session to disappear');
    const opened: URL[] = [];
    await api.signIn(HTTP_ID, formOpener(f.user, opened), ['tickets:read']);
    const clientId = opened[0]?.searchParams.get('client_id');
    assert.ok(clientId && clientId !== before.clientId, 'a new client was registered');
  });

  it('a tool result with an image opens it in the image preview (served read-only from memory)', async () => {
    // A stdio server of this suite's own, whose first launch is allowed here as the user would in the modal.
    const media = await addOwnStdioServer(api, f, {
      id: 'it-rw-media',
      name: 'Media Notes',
      env: { REALWORLD_SUITE: '1' },
    });
    const leases = [
      api.useLaunchConfirmer(async (def) => def.id === media.id),
      // Arguments handed to Call Tool by a command (not typed into its form) are shown and confirmed.
      api.useConfirmation('callTool', async (r) => r.serverId === media.id),
    ];
    try {
      await vscode.commands.executeCommand('mcpSecure.callTool', media.id, 'picture', {});
    } finally {
      leases.forEach((l) => l.dispose());
    }
    const tabs = await waitFor(() => {
      const found = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.scheme === 'mcp-secure-media');
      return found.length ? found : undefined;
    }, 'the image preview tab');
    const input = tabs[0]?.input as vscode.TabInputCustom;
    assert.equal(input.viewType, 'imagePreview.previewEditor');
    assert.deepEqual(
      [...(await vscode.workspace.fs.readFile(input.uri))].slice(0, 4),
      [0x89, 0x50, 0x4e, 0x47],
      'the PNG bytes the server sent',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.disconnect(media.id);
    await setServers(serverEntries(f));
  });

  it('connection refused names host:port; issuer mismatch, missing PKCE, no registration and a localhost resource say how to proceed', async () => {
    const misconfigured = await startMisconfiguredServer('issuer-mismatch');
    const closed = await closedPort();
    try {
      await setServers([
        ...serverEntries(f),
        { id: 'it-down', name: 'Down', transport: 'http', url: `http://127.0.0.1:${closed}/mcp` },
        { id: 'it-misconfigured', name: 'Misconfigured', transport: 'http', url: misconfigured.url },
      ]);
      await waitFor(() => api.servers().some((s) => s.id === 'it-misconfigured'), 'the added servers');
      const refused = `Nothing is listening at 127.0.0.1:${closed} (connection refused)`;
      await assert.rejects(api.connect('it-down'), (e: Error) => e.message.includes(refused));
      await waitFor(async () => flatten(await api.tree()).some((l) => l.includes(refused)), 'the refusal in the tree');
      const signIn = (): Promise<unknown> => api.signIn('it-misconfigured', async () => undefined);
      await assert.rejects(
        signIn(),
        (e: { code?: string; message: string }) =>
          e.code === 'issuer_mismatch' && e.message.includes('"https://issuer.example.net"'),
      );
      // Before any registration is stored for this issuer (the PKCE refusal comes after registering).
      misconfigured.mode = 'no-registration';
      await assert.rejects(
        signIn(),
        (e: { code?: string; message: string }) =>
          e.code === 'registration_failed' &&
          e.message.includes('redirect URI http://127.0.0.1/callback') &&
          e.message.includes('"oauth.clientId"'),
      );
      misconfigured.mode = 'no-pkce';
      await assert.rejects(
        signIn(),
        (e: { code?: string; message: string }) =>
          e.code === 'pkce_unsupported' && e.message.includes('"oauth.pkce": "assume-s256"'),
      );
      misconfigured.mode = 'resource-localhost';
      await assert.rejects(
        signIn(),
        (e: { code?: string; message: string }) =>
          e.code === 'resource_mismatch' &&
          e.message.includes(`use the URL ${misconfigured.url.replace('127.0.0.1', 'localhost')}`),
      );
    } finally {
      await misconfigured.close();
      await setServers(serverEntries(f));
    }
  });
});
