import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEditorStandIn, loadWithEditorStandIn } from '../../support/editorStandIn';

type Activate = (context: unknown) => Promise<unknown>;

/**
 * Issue 7, item 2: installed normally, `activate()` must hand other extensions nothing — no secrets,
 * no prompt overrides, no tool calls under a caller of their choosing. The real `activate()` runs
 * here against a stand-in editor, once per extension mode.
 */
describe('activate() exports', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function activateIn(
    mode: 'Production' | 'Development' | 'Test',
  ): Promise<{ exports: unknown; commands: string[] }> {
    const { module: vscode, record } = createEditorStandIn();
    const src = join(__dirname, '../../../src');
    const ext = await loadWithEditorStandIn<{ activate: Activate; deactivate: () => Promise<void> }>(
      join(src, 'extension.ts'),
      vscode,
      src,
    );
    const dir = mkdtempSync(join(tmpdir(), 'mcp-secure-activate-'));
    dirs.push(dir);
    const secrets = new Map<string, string>();
    const state = new Map<string, unknown>();
    const context = {
      extensionMode: (vscode.ExtensionMode as Record<string, number>)[mode],
      subscriptions: [] as { dispose(): void }[],
      secrets: {
        get: async (k: string) => secrets.get(k),
        store: async (k: string, v: string) => void secrets.set(k, v),
        delete: async (k: string) => void secrets.delete(k),
        onDidChange: new (vscode.EventEmitter as new () => { event: unknown })().event,
      },
      globalState: {
        get: (k: string, d?: unknown) => (state.has(k) ? state.get(k) : d),
        update: async (k: string, v: unknown) => void state.set(k, v),
        keys: () => [...state.keys()],
      },
      globalStorageUri: (vscode.Uri as { file(p: string): unknown }).file(dir),
      extensionUri: (vscode.Uri as { file(p: string): unknown }).file(dir),
      asAbsolutePath: (relative: string) => join(__dirname, '..', '..', '..', relative),
      extension: { packageJSON: { version: '0.0.0-test' } },
    };
    try {
      const exports = await ext.activate(context);
      return { exports, commands: record.commands };
    } finally {
      await ext.deactivate();
      context.subscriptions.forEach((d) => d.dispose());
    }
  }

  it('returns nothing in production (and in development): no test API, no secrets, no overrides', async () => {
    for (const mode of ['Production', 'Development'] as const) {
      const { exports, commands } = await activateIn(mode);
      assert.equal(exports, undefined, `${mode} mode exported ${typeof exports}`);
      assert.ok(commands.includes('mcpSecure.addServer'), 'activation did run to the end');
    }
  });

  it('registers exactly the commands package.json contributes (no contributed command without a handler, none unlisted)', async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const { commands } = await activateIn('Production');
    assert.deepEqual([...commands].sort(), manifest.contributes.commands.map((c) => c.command).sort());
  });

  it('returns the test API only in ExtensionMode.Test, and even there without raw SecretStorage', async () => {
    const { exports } = await activateIn('Test');
    assert.equal(typeof (exports as { signIn?: unknown })?.signIn, 'function');
    assert.equal('secrets' in (exports as object), false);
  });
});
