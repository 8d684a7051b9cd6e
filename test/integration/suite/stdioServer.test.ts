import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { STDIO_ID, fixtureServersReady, flatten, serverEntries, setServers, waitFor, type Fixtures } from './helpers';

describe('stdio MCP server with a shared secret', () => {
  let api: McpSecureApi;
  let f: Fixtures;

  before(async () => {
    ({ f, api } = await fixtureServersReady([STDIO_ID]));
  });

  after(async () => {
    await api.disconnect(STDIO_ID).catch(() => undefined);
    await setServers(undefined);
    await setServers(undefined, vscode.ConfigurationTarget.Workspace).catch(() => undefined);
  });

  it('asks once before the first launch of a USER-settings stdio command, then connects with a generated secret', async () => {
    const asked: string[] = [];
    const allow = api.useLaunchConfirmer(async (_def, commandLine) => {
      asked.push(commandLine);
      return true;
    });
    try {
      assert.equal((await api.connect(STDIO_ID)).kind, 'running');
      await api.disconnect(STDIO_ID);
      const state = await api.connect(STDIO_ID);
      assert.equal(state.kind, 'running');
    } finally {
      allow.dispose();
    }
    assert.equal(asked.length, 1, 'asked once, remembered afterwards');
    assert.ok(asked[0]?.includes(f.stdio.args[0] ?? ''), 'the full command line is shown');
    assert.ok((await api.listTools(STDIO_ID)).length > 0);
    const lines = await waitFor(async () => {
      const l = flatten(await api.tree());
      return l.some((x) => x.includes('[server:stdio:running:secret]')) ? l : undefined;
    }, 'the running stdio server in the tree');
    assert.ok(
      lines.some((l) => /Agent: — shared secret sha256:[0-9a-f]{16} \[identity:agent\]/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.includes('[toolsGroup]')));
  });

  it('answers a form elicitation from the server with the schema defaults applied', async () => {
    const seen: { message: string; defaults: Record<string, unknown> }[] = [];
    const answer = api.useElicitation(async (req) => {
      seen.push({ message: req.message, defaults: req.defaults });
      return { action: 'accept', content: { ...req.defaults, name: 'tester' } };
    });
    try {
      const result = await api.callTool(STDIO_ID, 'greet', {});
      assert.match(JSON.stringify(result.content), /Hello, tester!/);
    } finally {
      answer.dispose();
    }
    assert.deepEqual(seen[0]?.defaults, { name: 'world', excited: true });
  });

  it('rotates the secret: new fingerprint, server restarted and still accepted', async () => {
    const before = flatten(await api.tree()).find((l) => l.includes('shared secret sha256:'));
    const confirm = api.useConfirmation('rotateSecret', async (r) => r.serverId === STDIO_ID);
    const fingerprint = (await vscode.commands.executeCommand('mcpSecure.rotateSecret', STDIO_ID)) as string;
    confirm.dispose();
    assert.match(fingerprint, /^sha256:[0-9a-f]{16}$/);
    assert.ok(!before?.includes(fingerprint));
    assert.equal(api.state(STDIO_ID).kind, 'running');
    await waitFor(
      async () => flatten(await api.tree()).some((l) => l.includes(fingerprint)),
      'the new fingerprint in the tree',
    );
  });

  it('asks once before launching a stdio command from workspace settings', async () => {
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the runner opens a folder');
    await api.disconnect(STDIO_ID);
    const ws = [
      { id: 'it-ws-notes', name: 'Workspace Notes', transport: 'stdio', command: f.stdio.command, args: f.stdio.args },
    ];
    await setServers(ws, vscode.ConfigurationTarget.Workspace);
    await waitFor(
      () => api.servers().some((s) => s.id === 'it-ws-notes' && s.origin === 'workspace'),
      'the workspace server',
    );
    const asked: string[] = [];
    const refuse = api.useLaunchConfirmer(async (_def, commandLine) => {
      asked.push(commandLine);
      return false;
    });
    await assert.rejects(api.connect('it-ws-notes'), (e: { code?: string }) => e.code === 'cancelled');
    refuse.dispose();
    assert.equal(asked.length, 1);
    assert.ok(asked[0]?.includes(f.stdio.args[0] ?? ''), 'the full command line is shown');
    const allow = api.useLaunchConfirmer(async (_def, commandLine) => {
      asked.push(commandLine);
      return true;
    });
    try {
      assert.equal((await api.connect('it-ws-notes')).kind, 'running');
      await api.disconnect('it-ws-notes');
      assert.equal((await api.connect('it-ws-notes')).kind, 'running');
    } finally {
      allow.dispose();
      await api.disconnect('it-ws-notes');
    }
    assert.equal(asked.length, 2, 'confirmed once, remembered afterwards');
  });

  it('a command that cannot start puts the server in error with the command and the OS error in the tree', async () => {
    const missing = '/nonexistent/mcp-secure-typo-server';
    await setServers([...serverEntries(f), { id: 'it-typo', name: 'Typo', transport: 'stdio', command: missing }]);
    await waitFor(() => api.servers().some((s) => s.id === 'it-typo'), 'the typo server');
    const named = /"\/nonexistent\/mcp-secure-typo-server" \(ENOENT/;
    // Allowed in the launch confirmation as the user would: the spawn itself must fail.
    const allow = api.useLaunchConfirmer(async (def) => def.id === 'it-typo');
    try {
      await assert.rejects(
        api.connect('it-typo'),
        (e: { code?: string; message?: string }) => e.code === 'connection_failed' && named.test(e.message ?? ''),
      );
    } finally {
      allow.dispose();
    }
    const state = api.state('it-typo');
    assert.equal(state.kind, 'error');
    const lines = await waitFor(async () => {
      const l = flatten(await api.tree());
      return l.some((x) => named.test(x)) ? l : undefined;
    }, 'the spawn error naming the command in the tree');
    assert.ok(lines.length > 0);
    await setServers(serverEntries(f));
  });

  it('reports invalid definitions in the tree without breaking the valid ones', async () => {
    await setServers([
      ...serverEntries(f),
      { id: 'bad', transport: 'http', url: 'http://example.com/mcp' },
      { id: 'rel', transport: 'stdio', command: './server' },
    ]);
    await waitFor(() => api.invalidServers().length === 2, 'two invalid entries');
    const lines = flatten(await api.tree());
    assert.ok(
      lines.some((l) => /bad — .*url.*https.*\[invalidServer\]/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /rel — .*command.*\[invalidServer\]/.test(l)),
      lines.join('\n'),
    );
    assert.ok(api.servers().some((s) => s.id === STDIO_ID));
  });
});
