import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { SecurityReport } from '../../../src/core/security/securityReport';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import {
  HTTP_ID,
  STDIO_ID,
  addOwnStdioServer,
  fixtureServersReady,
  flatten,
  formOpener,
  serverEntries,
  setServers,
  waitFor,
  type Fixtures,
} from './helpers';

const REPORT_SCHEME = 'mcp-secure-report';

/**
 * Native feel (issue 12) in the real editor: the "Check Server Security…" command and its report
 * document, the status bar item, and settings that take effect without a reload.
 */
describe('Native feel: security report, status bar, live settings', () => {
  let api: McpSecureApi;
  let f: Fixtures;

  before(async () => {
    ({ f, api } = await fixtureServersReady([HTTP_ID, STDIO_ID]));
  });

  after(async () => {
    await api.signOut(HTTP_ID).catch(() => undefined);
    await api.disconnect(STDIO_ID).catch(() => undefined);
    const config = vscode.workspace.getConfiguration();
    for (const key of [
      'mcpSecure.requestTimeoutSeconds',
      'mcpSecure.redirectTimeoutSeconds',
      'mcpSecure.clientMetadataUrl',
    ]) {
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    await setServers(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Check Server Security… reports a signed-in server in a read-only Markdown document, without its token', async () => {
    await api.signIn(HTTP_ID, formOpener(f.user), ['tickets:read']);
    const report = await vscode.commands.executeCommand<SecurityReport>('mcpSecure.checkSecurity', {
      serverId: HTTP_ID,
    });
    const verdicts = Object.fromEntries(report.findings.map((x) => [x.id, x.verdict]));
    assert.equal(report.counts.failed, 0, JSON.stringify(verdicts));
    assert.equal(verdicts.pkce, 'pass');
    assert.equal(verdicts.issuer, 'pass');
    assert.equal(verdicts.audience, 'pass');
    assert.equal(verdicts.scopes, 'pass');
    const doc = await waitFor(
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === REPORT_SCHEME),
      'the report document',
    );
    assert.equal(doc.languageId, 'markdown');
    assert.equal(doc.isDirty, false);
    const text = doc.getText();
    assert.match(text, /^# Security report: Integration Tickets/);
    assert.match(text, /## ✓ Pass — PKCE S256/);
    assert.ok(text.includes(`\`${f.issuer}\``), 'the issuer is shown as a code span');
    assert.equal(await api.hasStoredGrant(HTTP_ID), true);
    assert.equal(await api.textHasStoredTokens(HTTP_ID, text), false, 'no access or refresh token in the report');
  });

  it('the status bar counts connected servers and opens the Servers view', async () => {
    await api.connect(HTTP_ID);
    const status = await waitFor(async () => {
      const s = await api.statusBar();
      return s.text.endsWith('MCP 1/2') ? s : undefined;
    }, 'the status bar to count one connected server');
    assert.equal(status.warning, false);
    assert.equal(status.command, 'mcpSecure.servers.focus');
    assert.match(status.tooltip, /• Integration Tickets: connected/);
    await vscode.commands.executeCommand(status.command);
  });

  it('the status bar warns when a sign-in expired and cannot renew itself', async () => {
    assert.equal(await api.hasStoredGrant(HTTP_ID), true);
    await api.disconnect(HTTP_ID);
    await api.expireStoredGrant(HTTP_ID);
    const status = await waitFor(async () => {
      const s = await api.statusBar();
      return s.warning ? s : undefined;
    }, 'the expired sign-in warning');
    assert.match(status.text, /^\$\(warning\) MCP/);
    assert.match(status.tooltip, /The sign-in to Integration Tickets expired: sign in again\./);
    await api.signOut(HTTP_ID).catch(() => undefined);
    await waitFor(async () => !(await api.statusBar()).warning, 'the warning to clear after signing out');
  });

  it('the status bar shows server names as plain text', async () => {
    const hostile = 'Evil [click](command:workbench.action.terminal.new) $(zap)';
    await setServers([
      ...serverEntries(f),
      { id: 'it-hostile', name: hostile, transport: 'http', url: `${f.httpUrl}?x=1` },
    ]);
    const status = await waitFor(async () => {
      const s = await api.statusBar();
      return s.tooltip.includes('Evil') ? s : undefined;
    }, 'the hostile server in the tooltip');
    assert.ok(!status.tooltip.includes('command:'), status.tooltip);
    assert.ok(!status.tooltip.includes('$(zap)'), status.tooltip);
    await setServers(serverEntries(f));
  });

  it('a changed client metadata URL applies at once (shown as the OAuth client of a signed-out server)', async () => {
    const url = 'https://client.example.com/oauth/mcp-secure.json';
    await vscode.workspace
      .getConfiguration()
      .update('mcpSecure.clientMetadataUrl', url, vscode.ConfigurationTarget.Global);
    await waitFor(
      async () => flatten(await api.tree()).some((l) => l.includes(`OAuth client ${url}`)),
      'the tree to show the new client id',
    );
    await vscode.workspace
      .getConfiguration()
      .update('mcpSecure.clientMetadataUrl', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(async () => !flatten(await api.tree()).some((l) => l.includes(url)), 'the tree to drop it');
  });

  it('a shortened request timeout applies to the next call on an open connection', async () => {
    // A stdio server of this suite's own, whose first launch is confirmed here as the user would.
    const notes = await addOwnStdioServer(api, f, {
      id: 'it-native-notes',
      name: 'Native Notes',
      env: { NATIVE_SUITE: '1' },
    });
    const allow = api.useLaunchConfirmer(async (def) => def.id === notes.id);
    try {
      await api.connect(notes.id);
    } finally {
      allow.dispose();
    }
    // `greet` waits for the user's answer, which never comes: only the deadline ends the call.
    const pending = api.useElicitation(() => new Promise(() => undefined));
    try {
      await vscode.workspace
        .getConfiguration()
        .update('mcpSecure.requestTimeoutSeconds', 1, vscode.ConfigurationTarget.Global);
      await assert.rejects(api.callTool(notes.id, 'greet', {}), (e: { code?: string }) => e.code === 'request_timeout');
    } finally {
      pending.dispose();
      await vscode.workspace
        .getConfiguration()
        .update('mcpSecure.requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
    const ok = await api.callTool(notes.id, 'add', { a: 1, b: 2 });
    assert.deepEqual(ok.structuredContent, { sum: 3 });
    await api.disconnect(notes.id);
    await setServers(serverEntries(f));
  });

  it('a shortened sign-in wait applies to the next sign-in', async () => {
    await vscode.workspace
      .getConfiguration()
      .update('mcpSecure.redirectTimeoutSeconds', 10, vscode.ConfigurationTarget.Global);
    try {
      // The browser never comes back: the sign-in ends when the (new) wait is over.
      await assert.rejects(
        api.signIn(HTTP_ID, async () => undefined),
        (e: { code?: string }) => e.code === 'authorization_timeout',
      );
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('mcpSecure.redirectTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
