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

  /** Runs a command and dismisses its quick picks the way Escape does, until the command settles. */
  async function dismissing(command: string, ...args: unknown[]): Promise<unknown> {
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand(command, ...args));
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled;
    }, `the quick picks of ${command} to be dismissed`);
    return run;
  }

  it('mcpSecure.addServer ignores a definition argument: it writes no settings and starts the wizard instead', async () => {
    const before = JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers'));
    const planted = {
      id: 'planted',
      name: 'Planted',
      transport: 'stdio',
      command: f.stdio.command,
      args: f.stdio.args,
    };
    // The wizard's first quick pick opens and is dismissed: a normal outcome, the command resolves to
    // undefined (no error), having written nothing.
    assert.equal(await dismissing('mcpSecure.addServer', planted, 'client-secret'), undefined);
    assert.equal(JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')), before);
    assert.ok(!api.servers().some((s) => s.id === 'planted'));
  });

  it('dismissing the server picker of a palette command resolves to undefined (no error) and does nothing', async () => {
    const settings = JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers'));
    const state = (): string => JSON.stringify(Object.values(IDS).map((id) => api.state(id).kind));
    const states = state();
    const opened: string[] = [];
    const watch = vscode.workspace.onDidOpenTextDocument((d) => {
      // The editor opens settings.json for its own reasons (settings are compared separately, below).
      if (d.uri.scheme !== 'output' && !d.uri.path.endsWith('/settings.json')) opened.push(d.uri.toString());
    });
    const seen: ConfirmRequest[] = [];
    for (const kind of ['removeServer', 'callTool', 'rotateSecret'] as const) answer(kind, false, seen);
    // Each has two or more servers to pick from here (two HTTP, one stdio), so each opens the picker (with
    // one it would take that server and go on). checkSecurity is registered apart from the others (with
    // the native features) and must end the same way.
    assert.ok(api.servers().filter((d) => d.transport === 'http').length >= 2, 'two HTTP servers to pick from');
    const commands = [
      'mcpSecure.connect',
      'mcpSecure.listTools',
      'mcpSecure.callTool',
      'mcpSecure.removeServer',
      'mcpSecure.signIn',
      'mcpSecure.signOut',
      'mcpSecure.forgetClientRegistration',
      'mcpSecure.checkSecurity',
    ];
    const outcomes: Record<string, unknown> = {};
    try {
      for (const command of commands) {
        outcomes[command] = await dismissing(command).catch((e: Error) => `rejected: ${e.message}`);
      }
    } finally {
      watch.dispose();
    }
    assert.deepEqual(outcomes, Object.fromEntries(commands.map((c) => [c, undefined])));
    assert.equal(JSON.stringify(vscode.workspace.getConfiguration().inspect('mcpSecure.servers')), settings);
    assert.equal(state(), states, 'no server was connected or disconnected');
    assert.deepEqual(seen, [], 'nothing went on to ask');
    assert.deepEqual(opened, [], 'no report or result was opened');
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
    // refusing is a normal outcome: the command resolves to undefined (no error)
    assert.equal(await vscode.commands.executeCommand('mcpSecure.callTool', IDS.tools, 'echo', args), undefined);
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
