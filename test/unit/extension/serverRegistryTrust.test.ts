/**
 * Issue 12, item 8: trusting the folder brings its server definitions in. Code-server offers no way to
 * grant trust from a test, so this runs the real ServerRegistry against the editor stand-in, modelled
 * on what the untrusted integration pass measured in code-server: while the folder is untrusted the
 * editor withholds the restricted workspace value; granting trust reveals it and fires the event.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { ServerRegistry as Registry } from '../../../src/vscode/serverRegistry';
import { createEditorStandIn, loadWithEditorStandIn } from '../../support/editorStandIn';

describe('ServerRegistry and workspace trust', () => {
  it('ignores workspace servers until the folder is trusted, then takes them in and says so', async () => {
    const { module } = createEditorStandIn();
    const workspace = module.workspace as Record<string, unknown>;
    const trustListeners: (() => void)[] = [];
    const user = [{ id: 'mine', transport: 'http', url: 'https://mine.example.com/mcp' }];
    const inWorkspace = [{ id: 'ws-tickets', transport: 'http', url: 'https://mcp.workspace.example/mcp' }];
    workspace.isTrusted = false;
    workspace.getConfiguration = () => ({
      inspect: () => ({ globalValue: user, workspaceValue: workspace.isTrusted ? inWorkspace : undefined }),
    });
    workspace.onDidGrantWorkspaceTrust = (listener: () => void) => {
      trustListeners.push(listener);
      return { dispose: () => undefined };
    };
    const src = join(__dirname, '..', '..', '..', 'src');
    const { ServerRegistry } = await loadWithEditorStandIn<{ ServerRegistry: new () => Registry }>(
      join(src, 'vscode/serverRegistry.ts'),
      module,
      src,
    );
    const registry = new ServerRegistry();
    let changes = 0;
    registry.onDidChange(() => changes++);
    assert.deepEqual(
      registry.servers().map((s) => s.id),
      ['mine'],
    );
    assert.equal(trustListeners.length, 1, 'the registry listens for the trust grant');

    workspace.isTrusted = true;
    for (const l of trustListeners) l();
    assert.deepEqual(
      registry.servers().map((s) => `${s.id}:${registry.originOf(s.id)}`),
      ['mine:user', 'ws-tickets:workspace'],
    );
    assert.equal(changes, 1, 'the tree and the gateway hear about it');
    registry.dispose();
  });
});
