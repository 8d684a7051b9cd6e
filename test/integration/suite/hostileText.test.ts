import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ConfirmRequest } from '../../../src/vscode/prompts';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import type { Lease } from '../../../src/vscode/testSeams';
import { HOSTILE_TEXTS, unsafeParts } from '../../fixtures/hostileText';
import { HOSTILE_LINK_TOOL, startHostileServer, type HostileServer } from '../../fixtures/mcp/hostileServer';
import { activatedApi, requireFixtures, setServers, waitFor, type Fixtures } from './helpers';

/**
 * Issue 7, item 1 in the real editor: server, tool and imported names built to become `command:`
 * links, codicons or reordered text, and the commands such a link would run. Every surface the
 * extension controls shows them as plain text, and no command argument writes settings or skips a
 * confirmation.
 */
describe('hostile names and commands reachable from links', () => {
  const HOSTILE_NAME = `[Open](command:mcpSecure.addServer?%7B%22transport%22%3A%22stdio%22%7D) $(alert) \u202Eevil\u200B`;
  const IDS = { http: 'it-hostile-http', stdio: 'it-hostile-stdio', tools: 'it-hostile-tools' } as const;
  let api: McpSecureApi;
  let f: Fixtures;
  let hostile: HostileServer;
  const leases: Lease[] = [];

  before(async () => {
    f = requireFixtures();
    api = await activatedApi();
    hostile = await startHostileServer('html');
    await setServers([
      { id: IDS.http, name: HOSTILE_NAME, transport: 'http', url: f.httpUrl },
      // Its own working directory: a launch confirmed by another suite for the same command must not count here.
      {
        id: IDS.stdio,
        name: `$(alert) ${HOSTILE_TEXTS[0]}`,
        transport: 'stdio',
        command: f.stdio.command,
        args: f.stdio.args,
        cwd: '/',
      },
      { id: IDS.tools, name: 'Hostile tools', transport: 'http', url: hostile.url },
    ]);
    await waitFor(
      () => Object.values(IDS).every((id) => api.servers().some((s) => s.id === id)),
      'the hostile servers in the registry',
    );
  });

  afterEach(() => {
    for (const l of leases.splice(0)) l.dispose();
  });

  after(async () => {
    for (const id of Object.values(IDS)) await api.disconnect(id).catch(() => undefined);
    await setServers(undefined);
    await hostile?.close();
  });

  function answer<K extends ConfirmRequest['kind']>(kind: K, yes: boolean, seen: ConfirmRequest[]): void {
    leases.push(
      api.useConfirmation(kind, async (r) => {
        seen.push(r);
        return yes;
      }),
    );
  }

  function assertPlain(texts: readonly (string | undefined)[]): void {
    const findings = texts.flatMap((t) => (t ?? '').split('\n')).flatMap((line) => unsafeParts(line));
    assert.deepEqual(findings, []);
  }

  const cancelled = (e: unknown): boolean =>
    (e as { code?: string }).code === 'cancelled' || /Cancelled/.test(String((e as Error).message));

  it('the Servers tree shows hostile server names, tool names and descriptions as plain text', async () => {
    assert.equal((await api.connect(IDS.tools)).kind, 'running');
    const texts = await waitFor(async () => {
      const all: (string | undefined)[] = [];
      const walk = (nodes: Awaited<ReturnType<McpSecureApi['tree']>>): void => {
        for (const n of nodes) {
          all.push(n.label, n.description, n.tooltip);
          walk(n.children);
        }
      };
      walk(await api.tree());
      return all.some((t) => t?.includes('txt.exe')) ? all : undefined;
    }, 'the hostile tool in the tree');
    assertPlain(texts);
    assert.ok(
      texts.some((t) => t?.startsWith('Open') && t.includes('evil')),
      'the hostile server name is still readable',
    );
    assert.ok(
      (await api.listTools(IDS.tools)).includes(HOSTILE_LINK_TOOL),
      'tool names stay data: the real name is still called',
    );
  });

  it('mcpSecure.addServer ignores a definition argument: it writes no settings and starts the wizard instead', async () => {
    const before = JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers'));
    const planted = {
      id: 'planted',
      name: 'Planted',
      transport: 'stdio',
      command: f.stdio.command,
      args: f.stdio.args,
    };
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand('mcpSecure.addServer', planted, 'client-secret'));
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The wizard's first quick pick opens; dismiss it the way Escape does.
    await waitFor(async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled;
    }, 'the wizard to be dismissed');
    await assert.rejects(run, cancelled);
    assert.equal(JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')), before);
    assert.ok(!api.servers().some((s) => s.id === 'planted'));
  });

  it('mcpSecure.removeServer with an id argument still asks; refused, nothing is removed', async () => {
    const seen: ConfirmRequest[] = [];
    answer('removeServer', false, seen);
    assert.equal(await vscode.commands.executeCommand('mcpSecure.removeServer', IDS.http), false);
    assert.deepEqual(
      seen.map((r) => r.kind === 'removeServer' && r.serverId),
      [IDS.http],
    );
    assertPlain([seen[0]?.message, seen[0]?.detail]);
    // The invalid-entry node shape cannot address a VALID entry (it used to remove by index, unasked).
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('mcpSecure.removeServer', { entry: { origin: 'user', index: 0 } }),
      ),
    );
    assert.equal(seen.length, 1);
    assert.ok(
      api.servers().some((s) => s.id === IDS.http),
      'still configured',
    );
  });

  it('mcpSecure.rotateSecret with an id and the old "confirmed" flag still asks', async () => {
    const seen: ConfirmRequest[] = [];
    answer('rotateSecret', false, seen);
    assert.equal(await vscode.commands.executeCommand('mcpSecure.rotateSecret', IDS.stdio, true), '');
    assert.equal(seen.length, 1);
    assertPlain([seen[0]?.message]);
  });

  it('mcpSecure.callTool with supplied arguments shows them in full and asks; refused, nothing is called', async () => {
    const seen: ConfirmRequest[] = [];
    answer('callTool', false, seen);
    const args = { text: '[x](command:workbench.action.terminal.new) $(alert)' };
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('mcpSecure.callTool', IDS.tools, 'echo', args)),
      cancelled,
    );
    const [request] = seen;
    assert.equal(request?.kind, 'callTool');
    assert.deepEqual(request?.kind === 'callTool' && request.args, args);
    assert.ok(request?.detail && !/\]\(|\$\(/.test(request.detail), request?.detail);
    const calls = (await api.auditRecords()).filter((r) => r.what.server.id === IDS.tools && r.what.tool === 'echo');
    assert.deepEqual(calls, [], 'the tool was not called');
  });

  it('a stdio server with a hostile name asks before its first launch, the name as plain text', async () => {
    const seen: ConfirmRequest[] = [];
    answer('stdioLaunch', false, seen);
    await assert.rejects(api.connect(IDS.stdio), cancelled);
    assert.equal(seen.length, 1);
    assertPlain([seen[0]?.message]);
  });

  it('importing a hostile .vscode/mcp.json lists the servers as plain text and writes nothing when refused', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens a folder');
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    const document = {
      servers: {
        // Not the suite's own servers (those would be skipped as already present, with nothing to confirm).
        [HOSTILE_NAME]: { type: 'http', url: `${hostile.url}?imported` },
        '$(alert) \u2066tool\u2069': { command: f.stdio.command, args: [...f.stdio.args, '--imported'] },
      },
    };
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(document)));
    const before = JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')?.workspaceValue);
    try {
      const seen: ConfirmRequest[] = [];
      answer('importServers', false, seen);
      // declining the preview adds nothing and is not reported as a failure
      assert.equal(
        await vscode.commands.executeCommand('mcpSecure.importServers', { importSource: 'vscodeWorkspace' }),
        0,
      );
      assert.equal(seen.length, 1);
      assertPlain([seen[0]?.message, seen[0]?.detail]);
      assert.equal(
        JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')?.workspaceValue),
        before,
      );
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});
