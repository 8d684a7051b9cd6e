import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConfirmRequest } from '../../../src/vscode/prompts';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import type { Lease } from '../../../src/vscode/testSeams';
import { activatedApi, requireFixtures, setServers, waitFor, type Fixtures } from './helpers';

/**
 * Issue 12, item 7 in the real editor: "Import Servers…" reads VS Code's user-level mcp.json (found
 * from the extension's own storage folder, here code-server's user data dir) and Claude Desktop's
 * file under a temporary HOME / XDG_CONFIG_HOME; credentials end up in SecretStorage, never in the
 * settings file, and the imported stdio server gets its credential at launch.
 */
describe('Import Servers… from other MCP clients', function () {
  this.timeout(60_000);
  let api: McpSecureApi;
  let f: Fixtures;
  let home: string;
  const leases: Lease[] = [];
  const canary = `canary-${randomBytes(24).toString('base64url')}`;

  before(async () => {
    api = await activatedApi();
    f = requireFixtures();
    home = await mkdtemp(path.join(os.tmpdir(), 'mcs-home-'));
    leases.push(api.useImportRoots({ home, xdgConfigHome: path.join(home, 'xdg') }));
  });

  after(async () => {
    for (const l of leases.splice(0)) l.dispose();
    await setServers(undefined);
    await rm(home, { recursive: true, force: true });
  });

  const fileOf = (id: string): string => {
    const file = api.importSourceFiles().find((s) => s.id === id)?.file;
    assert.ok(file, `a ${id} source`);
    return file;
  };
  const answer = (kind: 'importServers' | 'importRetireOriginal', yes: boolean, seen: ConfirmRequest[]): void => {
    leases.push(
      api.useConfirmation(kind, async (r) => {
        seen.push(r);
        return yes;
      }),
    );
  };
  const userSettingsText = async (): Promise<string> =>
    readFile(path.join(path.dirname(fileOf('vscodeUser')), 'settings.json'), 'utf8');

  it("imports VS Code's user-level mcp.json: preview, secrets to SecretStorage, original entries removed after a backup", async () => {
    const file = fileOf('vscodeUser');
    assert.equal(path.basename(path.dirname(file)), 'User', "derived from the extension's global storage");
    const original = `// user-level servers\n${JSON.stringify({
      servers: {
        'Imported Notes': {
          type: 'stdio',
          command: f.stdio.command,
          args: f.stdio.args,
          env: { API_TOKEN: canary, MODE: 'imported' },
        },
        'Remote Tickets': { type: 'http', url: f.httpUrl, headers: { 'X-Api-Key': canary } },
        insecure: { type: 'http', url: 'http://mcp.example.com/mcp' },
      },
    })}`;
    await writeFile(file, original);
    const seen: ConfirmRequest[] = [];
    answer('importServers', true, seen);
    answer('importRetireOriginal', true, seen);
    const count = await vscode.commands.executeCommand('mcpSecure.importServers', { importSource: 'vscodeUser' });
    assert.equal(count, 2);
    const preview = seen[0];
    assert.ok(preview?.kind === 'importServers');
    assert.deepEqual(preview.names, ['Imported Notes', 'Remote Tickets']);
    assert.deepEqual(preview.skipped, [{ name: 'insecure', reason: 'invalid_url' }]);
    assert.match(preview.detail ?? '', /insecure: skipped, invalid URL/);
    assert.match(preview.detail ?? '', /2 credential\(s\)/);
    assert.ok(!JSON.stringify(seen).includes(canary), 'the preview never shows a credential');

    const imported = await waitFor(
      () => (api.servers().filter((s) => s.origin === 'user').length >= 2 ? api.servers() : undefined),
      'the imported servers in the registry',
    );
    assert.deepEqual(
      imported.filter((s) => s.id === 'Imported-Notes' || s.id === 'Remote-Tickets').map((s) => s.origin),
      ['user', 'user'],
    );
    assert.ok(!(await userSettingsText()).includes(canary), 'no credential in settings.json');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')).includes(canary));
    assert.equal(await api.definitionSecretMatches('Imported-Notes', 'API_TOKEN', canary), true);
    assert.equal(await api.definitionSecretMatches('Remote-Tickets', 'X-Api-Key', canary), true);

    // The original no longer lists the imported servers; the backup beside it is the file as it was.
    const retire = seen[1];
    assert.ok(retire?.kind === 'importRetireOriginal');
    const left = JSON.parse(await readFile(file, 'utf8')) as { servers: Record<string, unknown> };
    assert.deepEqual(Object.keys(left.servers), ['insecure']);
    const backups = (await readdir(path.dirname(file))).filter((n) => n.startsWith('mcp.json.') && n.endsWith('.bak'));
    assert.equal(backups.length, 1);
    assert.equal(await readFile(path.join(path.dirname(file), backups[0] ?? ''), 'utf8'), original);
    await rm(path.join(path.dirname(file), backups[0] ?? ''));
    await rm(file);

    // The stored credential reaches the imported stdio server's environment at launch.
    leases.push(api.useLaunchConfirmer(async () => true));
    await api.connect('Imported-Notes');
    const env = await api.callTool('Imported-Notes', 'env_report', {});
    const names = JSON.parse(String(env.content[0]?.text ?? '[]')) as string[];
    assert.ok(names.includes('API_TOKEN') && names.includes('MODE'), names.join(','));
    await api.disconnect('Imported-Notes');
  });

  it("imports Claude Desktop's file from a temporary XDG_CONFIG_HOME and leaves that app's file alone", async () => {
    const file = fileOf('claudeDesktop');
    assert.equal(file, path.join(home, 'xdg', 'Claude', 'claude_desktop_config.json'));
    await mkdir(path.dirname(file), { recursive: true });
    const original = JSON.stringify({
      mcpServers: {
        'desktop-notes': {
          command: f.stdio.command,
          args: [...f.stdio.args, '--desktop'],
          env: { SERVICE_TOKEN: canary },
        },
        'Imported Notes': { command: f.stdio.command, args: f.stdio.args },
      },
    });
    await writeFile(file, original);
    const seen: ConfirmRequest[] = [];
    answer('importServers', true, seen);
    answer('importRetireOriginal', true, seen);
    assert.equal(await vscode.commands.executeCommand('mcpSecure.importServers', { importSource: 'claudeDesktop' }), 1);
    assert.equal(seen.length, 1, 'no offer to edit another app’s file');
    const preview = seen[0];
    assert.ok(preview?.kind === 'importServers');
    assert.match(preview.message, /Claude Desktop/);
    assert.deepEqual(preview.skipped, [{ name: 'Imported Notes', reason: 'already_present' }]);
    await waitFor(() => api.servers().some((s) => s.id === 'desktop-notes'), 'the Claude Desktop server');
    assert.equal(await api.definitionSecretMatches('desktop-notes', 'SERVICE_TOKEN', canary), true);
    assert.ok(!(await userSettingsText()).includes(canary), 'no credential in settings.json');
    assert.equal(await readFile(file, 'utf8'), original, "Claude Desktop's file is untouched");
    assert.ok(existsSync(file));
  });
});
