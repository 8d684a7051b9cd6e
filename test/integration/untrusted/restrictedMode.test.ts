import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ConfirmRequest } from '../../../src/vscode/prompts';
import { activatedApi, EXTENSION_ID } from '../suite/helpers';

/**
 * Issue 12, item 8: the folder (a copy of test/fixtures/untrustedWorkspace) is opened with workspace
 * trust ON and not trusted. Its server definitions — `mcpSecure.servers` in .vscode/settings.json and
 * the servers of .vscode/mcp.json — must not reach the extension; the manifest tells VS Code (and the
 * Settings UI) which settings are restricted and why. The trusted run shows the same definitions
 * appearing (test/integration/suite/workspaceTrust.test.ts): code-server offers no API to grant
 * trust from a test.
 */
describe('an untrusted workspace (Restricted Mode)', () => {
  const FIXTURE_IDS = ['ws-tickets', 'ws-tool', 'workspace-json'];

  it('opens the fixture folder untrusted, with its settings file in place', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'workspace trust is on and the folder is not trusted');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a folder is open');
    const settings = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'));
    assert.match(new TextDecoder().decode(settings), /ws-tickets/);
  });

  it('ignores the workspace server definitions, and VS Code withholds the restricted settings', async () => {
    const api = await activatedApi();
    const ids = api.servers().map((s) => s.id);
    assert.deepEqual(
      ids.filter((id) => FIXTURE_IDS.includes(id)),
      [],
      'no workspace server is configured',
    );
    assert.deepEqual(api.invalidServers(), []);
    const config = vscode.workspace.getConfiguration();
    // VS Code applies `capabilities.untrustedWorkspaces.restrictedConfigurations`: the workspace
    // values of the restricted settings do not reach the extension, the others do.
    assert.equal(config.inspect('mcpSecure.servers')?.workspaceValue, undefined);
    assert.equal(config.get('mcpSecure.clientMetadataUrl') ?? '', '');
    assert.equal(config.get('mcpSecure.requestTimeoutSeconds'), 42, 'an unrestricted workspace setting applies');
    // Withheld by VS Code itself, the workspace value never reaches the registry: nothing for it to count.
    assert.equal(api.ignoredWorkspaceServers(), 0);
    const tree = JSON.stringify(await api.tree());
    for (const id of FIXTURE_IDS) assert.ok(!tree.includes(id), `${id} is not in the Servers view`);
  });

  it('does not read workspace MCP files for import, and says why', async () => {
    const api = await activatedApi();
    assert.deepEqual(
      api.importSourceFiles().filter((s) => s.id.endsWith('Workspace')),
      [],
      'no workspace file is offered',
    );
    const asked: ConfirmRequest[] = [];
    const lease = api.useConfirmation('importServers', async (r) => {
      asked.push(r);
      return true;
    });
    try {
      const count = await vscode.commands.executeCommand('mcpSecure.importServers', {
        importSource: 'vscodeWorkspace',
      });
      assert.equal(count, 0);
      assert.deepEqual(asked, [], 'nothing to confirm: the file is not read');
      assert.deepEqual(
        api.servers().filter((s) => FIXTURE_IDS.includes(s.id)),
        [],
      );
    } finally {
      lease.dispose();
    }
  });

  it('declares limited support with the restricted settings and says why (shown by the Settings UI)', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      capabilities: {
        untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] };
      };
      contributes: {
        configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
      };
    };
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [
      'mcpSecure.audit.otlp.endpoint',
      'mcpSecure.clientMetadataUrl',
      'mcpSecure.servers',
    ]);
    assert.match(untrusted.description, /untrusted workspaces/i);
    for (const key of untrusted.restrictedConfigurations) {
      const property = manifest.contributes.configuration.properties[key];
      assert.ok(property, `${key} is a contributed setting`);
      assert.match(
        property.markdownDescription ?? property.description ?? '',
        /untrusted|Restricted Mode|ignored in workspace settings/i,
        `${key}'s description says it is ignored in untrusted workspaces`,
      );
    }
  });
});
