import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ConfirmRequest } from '../../../src/vscode/prompts';
import mcpJson from '../../fixtures/untrustedWorkspace/.vscode/mcp.json';
import workspaceSettings from '../../fixtures/untrustedWorkspace/.vscode/settings.json';
import { activatedApi, setServers, waitFor } from './helpers';

/**
 * Issue 12, item 8, the trusted half: the definitions of test/fixtures/untrustedWorkspace, which the
 * untrusted pass (test/integration/untrusted) shows ignored, DO come in when the folder is trusted
 * (this run: workspace trust is off, so every folder is trusted). Code-server has no API to grant
 * trust from a test, so the two runs stand for "before" and "after trusting the folder".
 */
describe('workspace definitions in a trusted folder', () => {
  const mcpFile = (): vscode.Uri => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens a folder');
    return vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  };

  after(async () => {
    await setServers(undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(mcpFile()).then(undefined, () => undefined);
  });

  it('takes the servers of the workspace settings and offers .vscode/mcp.json for import', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const api = await activatedApi();
    await setServers(workspaceSettings['mcpSecure.servers'], vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.writeFile(mcpFile(), new TextEncoder().encode(JSON.stringify(mcpJson)));
    const listed = await waitFor(() => {
      const ws = api.servers().filter((s) => s.origin === 'workspace');
      return ws.length === 2 ? ws : undefined;
    }, 'the workspace servers in the registry');
    assert.deepEqual(listed.map((s) => s.id).sort(), ['ws-tickets', 'ws-tool']);
    assert.equal(api.ignoredWorkspaceServers(), 0);
    assert.ok(api.importSourceFiles().some((s) => s.id === 'vscodeWorkspace'));
    const asked: ConfirmRequest[] = [];
    const lease = api.useConfirmation('importServers', async (r) => {
      asked.push(r);
      return false;
    });
    try {
      // declined in the preview: nothing is added, and declining is not a failure
      assert.equal(
        await vscode.commands.executeCommand('mcpSecure.importServers', { importSource: 'vscodeWorkspace' }),
        0,
      );
      assert.ok(asked[0]?.kind === 'importServers');
      assert.deepEqual(asked[0].names, ['workspace-json']);
      assert.match(asked[0].message, /workspace settings/);
    } finally {
      lease.dispose();
    }
  });
});
