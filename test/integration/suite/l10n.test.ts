import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../../src/vscode/constants';
import { activatedApi } from './helpers';

interface Step {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly media: { readonly altText: string };
}

/**
 * Localisation (issue 12, item 5) and the Get Started walkthrough (item 3) as the real editor reads
 * them: the manifest's `%key%` texts resolved from package.nls.json, and every walkthrough button
 * running a command this editor has.
 */
describe('Localised manifest and walkthrough in the editor', () => {
  let manifest: {
    displayName: string;
    contributes: { commands: { title: string }[]; walkthroughs: { steps: Step[] }[] };
  };

  before(async () => {
    await activatedApi();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension is installed');
    manifest = ext.packageJSON as typeof manifest;
  });

  it('resolves every %key% of package.json from package.nls.json', () => {
    const left = JSON.stringify(manifest).match(/"%[A-Za-z0-9._-]+%"/g) ?? [];
    assert.deepEqual(left, []);
    assert.equal(manifest.displayName, 'MCP Secure Connections');
    assert.ok(manifest.contributes.commands.some((c) => c.title === 'Check Server Security…'));
  });

  it('walkthrough: the "let chat use your servers" step follows the audit log, and every button runs a command the editor has', async () => {
    const steps = manifest.contributes.walkthroughs[0]?.steps ?? [];
    const at = steps.findIndex((s) => s.id === 'chatGateway');
    assert.equal(steps[at - 1]?.id, 'reviewAudit');
    assert.equal(steps[at]?.title, 'Let chat use your servers');
    const known = new Set(await vscode.commands.getCommands(false));
    const missing = steps.flatMap((s) =>
      [...s.description.matchAll(/\]\(command:([\w.]+)/g)]
        .map((m) => m[1] as string)
        .filter((c) => !known.has(c))
        .map((c) => `${s.id}: ${c}`),
    );
    assert.deepEqual(missing, []);
  });
});
