import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { tmpdir } from 'node:os';
import { activatedApi, requireFixtures, setServers, waitFor } from './helpers';

const COMMAND = 'mcpSecure.audit.openInEditor';
const VIEW_TYPE = 'mcpSecure.auditLogEditor';
const SERVER_ID = 'it-audit-notes';

/** The editor tabs showing the audit panel (webview tabs carry the extension-prefixed view type). */
function auditTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

/**
 * Issue 12, item 1 in the real editor: "Open Audit Log in Editor" opens the audit app in an editor tab,
 * the page loads under its CSP, says `ready`, and is answered the chart's buckets and the table's page
 * over its own session; running the command again reveals the same tab.
 */
describe('audit log in the editor area', () => {
  let api: McpSecureApi;

  before(async () => {
    const f = requireFixtures();
    api = await activatedApi();
    // Its own working directory: confirming this launch must not count as confirming another suite's.
    await setServers([
      {
        id: SERVER_ID,
        name: 'Audit Notes',
        transport: 'stdio',
        command: f.stdio.command,
        args: f.stdio.args,
        cwd: tmpdir(),
      },
    ]);
    await waitFor(() => api.servers().some((s) => s.id === SERVER_ID), 'the stdio server in the registry');
  });

  after(async () => {
    for (const tab of auditTabs()) await vscode.window.tabGroups.close(tab);
    await api.disconnect(SERVER_ID).catch(() => undefined);
    await setServers(undefined);
  });

  it('opens one editor tab whose page loads and receives the chart buckets and the table page; a second run reveals it', async () => {
    const allow = api.useLaunchConfirmer(async () => true);
    try {
      await api.connect(SERVER_ID);
      await api.callTool(SERVER_ID, 'add', { a: 2, b: 3 }, 'palette');
    } finally {
      allow.dispose();
    }
    await vscode.commands.executeCommand(COMMAND);
    const tab = await waitFor(() => auditTabs()[0], 'an audit tab in the editor area');
    assert.equal(tab.label, 'Audit Log');
    assert.ok(tab.isActive, 'the new tab is active');
    const editor = await waitFor(
      () => {
        const s = api.auditWebviews().find((w) => w.surface === 'editor');
        return s?.ready && s.answered.includes('histogram') && s.answered.includes('query') ? s : undefined;
      },
      'the editor panel to load and be answered its chart and table',
      60_000,
    );
    assert.ok(editor.answered.includes('facets'));
    const other = await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument({ content: 'another editor' }),
    );
    await waitFor(() => !auditTabs()[0]?.isActive, 'another editor in front of the audit tab');
    await vscode.commands.executeCommand(COMMAND);
    await waitFor(() => auditTabs()[0]?.isActive, 'the audit tab revealed again');
    assert.equal(auditTabs().length, 1, 'one audit tab, revealed rather than duplicated');
    assert.equal(api.auditWebviews().filter((w) => w.surface === 'editor').length, 1);
    const otherTab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === other.document.uri.toString());
    if (otherTab) await vscode.window.tabGroups.close(otherTab, true);
  });

  it('closing the tab ends its session', async () => {
    await vscode.commands.executeCommand(COMMAND);
    const tab = await waitFor(() => auditTabs()[0], 'the audit tab');
    await vscode.window.tabGroups.close(tab);
    await waitFor(
      () => api.auditWebviews().every((w) => w.surface !== 'editor'),
      'no editor session after closing the tab',
    );
  });
});
