import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { activatedApi, flatten, formOpener, requireFixtures, setServers, waitFor, type Fixtures } from './helpers';

// Own ids: what the extension learns here (e.g. close_ticket needs tickets:write) must not leak into other suites.
const HTTP_ID = 'gw-tickets';
const STDIO_ID = 'gw-notes';

/**
 * The gateway (issue 8): the servers configured in MCP Secure are offered to VS Code's own MCP client
 * as stdio bridges into the extension host; VS Code's `lm.invokeTool` reaches the real servers through
 * the extension's connections, with its sign-in and audit.
 */
describe("Gateway: VS Code's own MCP client through MCP Secure", () => {
  let api: McpSecureApi;
  let f: Fixtures;
  let allowNotes: { dispose(): void } | undefined;

  const toolText = (result: vscode.LanguageModelToolResult): string =>
    result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
  const mcpTools = (): string[] =>
    vscode.lm.tools
      .filter((t) => t.tags.includes('mcp'))
      .map((t) => t.name)
      .sort();
  const gateway = (): NonNullable<McpSecureApi['gateway']> => {
    assert.ok(api.gateway, 'the gateway started');
    return api.gateway;
  };

  before(async () => {
    f = requireFixtures();
    api = await activatedApi();
    // Every stdio command is confirmed before its first launch, user settings included (issue 7):
    // the notes server is allowed here, as the user would in the modal; nothing else is.
    allowNotes = api.useLaunchConfirmer(async (def) => def.id === STDIO_ID);
    await setServers([
      { id: HTTP_ID, name: 'Gateway Tickets', transport: 'http', url: f.httpUrl },
      {
        id: STDIO_ID,
        name: 'Gateway Notes',
        transport: 'stdio',
        command: f.stdio.command,
        args: f.stdio.args,
        env: { MCP_FIXTURE_GATEWAY_TOOLS: '1' },
      },
    ]);
    await waitFor(() => gateway().definitions().length === 2, 'both servers offered to chat');
    await api.signIn(HTTP_ID, formOpener(f.user), ['tickets:read']);
  });

  after(async () => {
    allowNotes?.dispose();
    await vscode.commands.executeCommand('workbench.mcp.stopServer', '*').then(undefined, () => undefined);
    await api.signOut(HTTP_ID).catch(() => undefined);
    await setServers(undefined);
  });

  it('offers each server as the editor runtime + dist/bridge.js with a scrubbed environment', () => {
    const defs = gateway().definitions();
    assert.deepEqual(
      defs.map((d) => [d.serverId, d.alias]),
      [
        [HTTP_ID, 'gw-tickets'],
        [STDIO_ID, 'gw-notes'],
      ],
    );
    for (const d of defs) {
      assert.equal(d.command, process.execPath);
      assert.equal(path.basename(d.args[0] ?? ''), 'bridge.js');
      assert.equal(d.env.ELECTRON_RUN_AS_NODE, 'set');
      assert.equal(d.env.MCP_SECURE_GATEWAY_SECRET, 'set');
      for (const name of Object.keys(process.env).filter((k) => k.startsWith('VSCODE_')))
        assert.equal(d.env[name], 'removed', name);
    }
  });

  it('listens on a 0600 socket in a 0700 folder, and refuses a bridge with a wrong secret', async () => {
    const g = gateway();
    if (process.platform !== 'win32') {
      assert.ok(g.socketDir);
      assert.equal(statSync(g.socketDir).mode & 0o777, 0o700);
      assert.equal(statSync(g.endpoint).mode & 0o777, 0o600);
    }
    const received: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const socket = net.createConnection({ path: g.endpoint }, () => {
        socket.write(`${JSON.stringify({ mcpSecureBridge: 1, server: HTTP_ID, secret: 'f'.repeat(64) })}\n`);
        socket.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
      });
      socket.on('data', (d) => received.push(d));
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    assert.equal(Buffer.concat(received).length, 0, 'nothing is answered to a wrong secret');
  });

  it("after workbench.mcp.startServer, vscode.lm.tools lists every server's tools under its alias", async () => {
    const names = await waitFor(
      async () => {
        // VS Code picks up changed definitions asynchronously: (re)start until both servers are live.
        await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
        const t = mcpTools();
        return t.includes('mcp_gw-tickets_whoami') && t.includes('mcp_gw-notes_echo') ? t : undefined;
      },
      'the gateway tools in vscode.lm.tools',
      20_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}; tools: ${vscode.lm.tools.map((t) => t.name).join(' ')}; sessions: ${JSON.stringify(gateway().sessions())}`,
      );
    });
    for (const n of [
      'mcp_gw-tickets_list_tickets',
      'mcp_gw-tickets_close_ticket',
      'mcp_gw-notes_add',
      'mcp_gw-notes_read_note',
    ])
      assert.ok(names.includes(n), names.join(' '));
    assert.deepEqual(
      gateway()
        .sessions()
        .map((s) => s.serverId)
        .sort(),
      [STDIO_ID, HTTP_ID].sort(),
    );
  });

  it('lm.invokeTool reaches the HTTP server with our Bearer token and is audited once with caller chat', async () => {
    const before = (await api.auditRecords()).length;
    const result = await vscode.lm.invokeTool('mcp_gw-tickets_whoami', { input: {}, toolInvocationToken: undefined });
    const who = JSON.parse(toolText(result)) as { sub?: string; scopes: string[] };
    assert.ok(who.sub, 'the server verified a token and saw its subject');
    assert.ok(who.scopes.includes('tickets:read'), who.scopes.join(' '));
    const records = (await api.auditRecords()).slice(before);
    assert.equal(records.length, 1, JSON.stringify(records));
    assert.equal(records[0]?.who.caller, 'chat');
    assert.equal(records[0]?.what.tool, 'whoami');
    assert.equal(records[0]?.what.server.id, HTTP_ID);
    assert.equal(records[0]?.outcome.kind, 'success');
    assert.equal(gateway().callCount(HTTP_ID), 1);
    const tree = await waitFor(async () => {
      const lines = flatten(await api.tree());
      return lines.some((l) => l.includes('Chat: — offered through MCP Secure · 1 chat call [identity:chat]'))
        ? lines
        : undefined;
    }, 'the chat call count in the Servers view');
    assert.ok(
      tree.some((l) => l.includes('Chat: — offered through MCP Secure · 0 chat calls')),
      'the notes server has served none yet',
    );
  });

  it('the stdio notes server (shared secret) works through the gateway', async () => {
    const result = await vscode.lm.invokeTool('mcp_gw-notes_add', {
      input: { a: 20, b: 22 },
      toolInvocationToken: undefined,
    });
    assert.match(toolText(result), /42/);
    const last = (await api.auditRecords()).at(-1);
    assert.equal(last?.who.caller, 'chat');
    assert.equal(last?.what.server.id, STDIO_ID);
  });

  it('a tool definition changed after approval (with hidden characters) is held back from chat until accepted; both are audited', async () => {
    const before = (await api.auditRecords()).length;
    await vscode.lm.invokeTool('mcp_gw-notes_rug_pull', { input: { hidden: true }, toolInvocationToken: undefined });
    await waitFor(() => !mcpTools().includes('mcp_gw-notes_echo'), 'echo held back from vscode.lm.tools');
    assert.deepEqual(gateway().heldBack(), [
      { serverId: STDIO_ID, tool: 'echo', kind: 'changed', hidden: ['U+E0049', 'U+E0047'] },
    ]);
    const held = (await api.auditRecords()).slice(before).filter((r) => r.what.tool === 'echo');
    assert.deepEqual(
      held.map((r) => [r.who.caller, r.outcome.kind, (r.what.arguments as { event?: string }).event]),
      [['chat', 'denied', 'tool_definition_changed']],
    );
    const lines = flatten(await api.tree());
    assert.ok(
      lines.some((l) =>
        /Chat: — offered through MCP Secure .* · 1 held back · 1 with hidden characters \[identity:chat\]/.test(l),
      ),
      lines.join('\n'),
    );

    assert.equal(await gateway().acceptTool(STDIO_ID, 'echo'), true);
    await waitFor(() => mcpTools().includes('mcp_gw-notes_echo'), 'echo back after acceptance');
    assert.deepEqual(gateway().heldBack(), []);
    const accepted = (await api.auditRecords()).at(-1);
    assert.deepEqual(
      [
        accepted?.who.caller,
        accepted?.what.tool,
        accepted?.outcome.kind,
        (accepted?.what.arguments as { event?: string }).event,
      ],
      ['palette', 'echo', 'success', 'tool_definition_accepted'],
    );
    assert.equal(
      toolText(
        await vscode.lm.invokeTool('mcp_gw-notes_echo', { input: { text: 'hi' }, toolInvocationToken: undefined }),
      ),
      'hi',
    );
  });

  it("close_ticket steps up through the extension's own consent and sign-in, then succeeds; one audit record", async () => {
    const asked: string[][] = [];
    const consent = api.useStepUpConsent(async (req) => {
      asked.push([...req.requested]);
      return true;
    });
    const opener = api.useOpener(formOpener(f.user));
    try {
      const before = (await api.auditRecords()).length;
      const result = await vscode.lm.invokeTool('mcp_gw-tickets_close_ticket', {
        input: { id: 'T-1' },
        toolInvocationToken: undefined,
      });
      assert.equal(toolText(result), 'Closed T-1');
      assert.equal(asked.length, 1);
      assert.ok(asked[0]?.includes('tickets:write'), asked[0]?.join(' '));
      const records = (await api.auditRecords()).slice(before);
      assert.deepEqual(
        records.map((r) => [r.who.caller, r.what.tool, r.outcome.kind]),
        [['chat', 'close_ticket', 'success']],
      );
      assert.ok(records[0]?.scopes.includes('tickets:read'), 'scopes at call time are recorded');
    } finally {
      consent.dispose();
      opener.dispose();
    }
  });

  it('the tool policy setting hides a denied tool from VS Code (tools/list_changed), and lifting it brings it back', async () => {
    const config = vscode.workspace.getConfiguration();
    await config.update(
      'mcpSecure.gateway.tools',
      { [HTTP_ID]: { deny: ['close_*'] } },
      vscode.ConfigurationTarget.Global,
    );
    try {
      await waitFor(
        () => !mcpTools().includes('mcp_gw-tickets_close_ticket') && mcpTools().includes('mcp_gw-tickets_list_tickets'),
        'close_ticket hidden',
      );
    } finally {
      await config.update('mcpSecure.gateway.tools', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => mcpTools().includes('mcp_gw-tickets_close_ticket'), 'close_ticket back');
  });

  it('a tool whose scope is known not to be granted is stopped before the server; step-up is offered, a refusal denies it', async () => {
    // close_ticket is known to need tickets:write (learned from the step-up above); start over with read only.
    await api.signOut(HTTP_ID);
    await api.signIn(HTTP_ID, formOpener(f.user), ['tickets:read']);
    const asked: string[][] = [];
    const refuse = api.useStepUpConsent(async (req) => {
      asked.push([...req.requested]);
      return false;
    });
    try {
      const before = (await api.auditRecords()).length;
      await assert.rejects(
        Promise.resolve(
          vscode.lm.invokeTool('mcp_gw-tickets_close_ticket', { input: { id: 'T-2' }, toolInvocationToken: undefined }),
        ),
        /needs tickets:write, which is not granted/,
      );
      assert.equal(asked.length, 1);
      assert.ok(asked[0]?.includes('tickets:write'));
      const records = (await api.auditRecords()).slice(before);
      assert.deepEqual(
        records.map((r) => [r.who.caller, r.what.tool, r.outcome.kind, r.outcome.status]),
        [['chat', 'close_ticket', 'denied', 'local']],
      );
    } finally {
      refuse.dispose();
    }
  });

  it('the bridge processes VS Code started have no VSCODE_IPC_HOOK* in their environment', function () {
    if (process.platform !== 'linux') this.skip();
    const sessions = gateway().sessions();
    assert.ok(sessions.length > 0 && sessions.every((s) => s.pid), JSON.stringify(sessions));
    for (const s of sessions) {
      const names = readFileSync(`/proc/${s.pid}/environ`, 'utf8')
        .split('\0')
        .map((kv) => kv.split('=')[0] ?? '');
      assert.ok(names.includes('MCP_SECURE_GATEWAY_SOCKET'), 'this is the bridge');
      assert.deepEqual(
        names.filter((n) => n.startsWith('VSCODE_')),
        [],
      );
    }
  });

  it('a workspace stdio server asked for by VS Code is confirmed before anything starts; refused, nothing runs', async () => {
    const asked: string[] = [];
    const refuse = api.useLaunchConfirmer(async (def) => {
      asked.push(def.id);
      return false;
    });
    try {
      await setServers(
        [
          {
            id: 'gw-ws-notes',
            name: 'Gateway Workspace Notes',
            transport: 'stdio',
            command: f.stdio.command,
            args: f.stdio.args,
            // Its own launch spec: the stdio suite's workspace server (same command) may already be allowed.
            env: { MCP_FIXTURE_CASE: 'gateway-workspace' },
          },
        ],
        vscode.ConfigurationTarget.Workspace,
      );
      await waitFor(
        () =>
          gateway()
            .definitions()
            .some((d) => d.serverId === 'gw-ws-notes'),
        'the workspace server offered',
      );
      await waitFor(async () => {
        await vscode.commands.executeCommand(
          'workbench.mcp.startServer',
          'mcp-secure.mcp-secure-connections/Gateway Workspace Notes',
        );
        return asked.length > 0;
      }, 'the launch confirmation');
      assert.deepEqual(asked.slice(0, 1), ['gw-ws-notes']);
      assert.notEqual(api.state('gw-ws-notes').kind, 'running');
      assert.ok(!mcpTools().some((t) => t.startsWith('mcp_gw-ws-notes_')), 'no tools from a refused server');
    } finally {
      refuse.dispose();
      await setServers(undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('an upstream 401 never reaches VS Code: a failed sign-in answers an error naming the fix, and it is audited', async () => {
    await api.signOut(HTTP_ID);
    const refuse = api.useOpener(async () => {
      throw new Error('the user closed the browser');
    });
    try {
      const before = (await api.auditRecords()).length;
      await assert.rejects(
        Promise.resolve(vscode.lm.invokeTool('mcp_gw-tickets_whoami', { input: {}, toolInvocationToken: undefined })),
        (e: Error) =>
          /Sign in to Gateway Tickets from the Accounts menu/.test(e.message) && !/Bearer|eyJ/.test(e.message),
      );
      const records = (await api.auditRecords()).slice(before);
      assert.deepEqual(
        records.map((r) => [r.who.caller, r.what.tool, r.outcome.kind]),
        [['chat', 'whoami', 'denied']],
      );
    } finally {
      refuse.dispose();
    }
  });

  it('no TCP port is listening in the extension host', function () {
    if (process.platform !== 'linux') this.skip();
    const listening = new Set<string>();
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[3] === '0A') listening.add(cols[9] ?? '');
      }
    }
    const fds = socketInodes();
    assert.ok(fds.length > 0, "the extension host has sockets (the gateway's among them)");
    assert.deepEqual(
      fds.filter((inode) => listening.has(inode)),
      [],
      'a TCP listener is open in the extension host',
    );
  });
});

/** Socket inodes of this process' open file descriptors. */
function socketInodes(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${process.pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${process.pid}/fd/${fd}`));
      if (m?.[1]) out.push(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}
