import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret, secretFingerprint } from '../../../src/core/mcp/stdioSecret';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';

class RecordingObserver implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

function stdioDef(extra: Record<string, unknown> = {}): StdioServerDefinition {
  const { command, args } = stdioServerCommand();
  return parseServerDefinition({
    id: 'notes',
    name: 'Notes',
    transport: 'stdio',
    command,
    args,
    ...extra,
  }) as StdioServerDefinition;
}

describe('stdio MCP connections (real child processes)', () => {
  const secret = generateSharedSecret();
  let logger: MemoryLogger;
  let observer: RecordingObserver;
  let manager: ConnectionManager;

  function makeManager(secretFor: () => Promise<string> = async () => secret): ConnectionManager {
    return new ConnectionManager({
      logger,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: secretFor,
      observers: [observer],
      requestTimeoutMs: 10_000,
    });
  }

  beforeEach(() => {
    logger = new MemoryLogger();
    observer = new RecordingObserver();
    manager = makeManager();
  });
  afterEach(async () => {
    await manager.disposeAll();
    assert.ok(!logger.text().includes(secret), 'the shared secret never reaches the log');
  });

  it('connects with the secret (env + handshake), lists and calls tools, and reports each call once', async () => {
    const conn = await manager.connect(stdioDef());
    assert.equal(manager.state('notes').kind, 'running');
    const tools = await conn.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'echo', 'env_report', 'greet', 'picture', 'read_note']);
    const sum = await conn.callTool('add', { a: 2, b: 3 }, { caller: 'test' });
    assert.deepEqual(sum.structuredContent, { sum: 5 });
    const missing = await conn.callTool('read_note', { name: 'nope' }, { caller: 'test' });
    assert.equal(missing.isError, true);
    assert.equal(observer.records.length, 2);
    assert.equal(observer.records[0]?.outcome.kind, 'success');
    assert.equal(observer.records[1]?.outcome.kind, 'tool_error');
    assert.deepEqual(observer.records[0]?.context.agent, {
      kind: 'shared-secret',
      fingerprint: secretFingerprint(secret),
    });
    assert.ok(!JSON.stringify(observer.records).includes(secret));
  });

  it('observers added later see later calls, and stop after dispose', async () => {
    const conn = await manager.connect(stdioDef());
    const late = new RecordingObserver();
    const sub = manager.addObserver(late);
    await conn.callTool('echo', { text: 'a' }, { caller: 'test' });
    sub.dispose();
    await conn.callTool('echo', { text: 'b' }, { caller: 'test' });
    assert.equal(late.records.length, 1);
    assert.equal(observer.records.length, 2);
  });

  it('never puts the secret in argv and gives the child a minimal environment', async () => {
    process.env.MCP_SECURE_TEST_LEAK = 'should-not-be-inherited';
    try {
      const conn = await manager.connect(stdioDef({ env: { NOTES_MODE: 'demo' } }));
      const pid = (conn as unknown as { opts: { transport: { pid: number } } }).opts.transport.pid;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      assert.ok(!cmdline.includes(secret), 'secret not in /proc/<pid>/cmdline');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((l) => l.split('=')[0] ?? '');
      assert.ok(environ.includes('MCP_SHARED_SECRET') && environ.includes('NOTES_MODE') && environ.includes('PATH'));
      assert.ok(!environ.includes('MCP_SECURE_TEST_LEAK'));
      const allowed = new Set([
        'PATH',
        'HOME',
        'LANG',
        'LC_ALL',
        'LC_CTYPE',
        'TERM',
        'TMPDIR',
        'USER',
        'LOGNAME',
        'SHELL',
        'TZ',
        'MCP_SHARED_SECRET',
        'NOTES_MODE',
      ]);
      assert.deepEqual(
        environ.filter((n) => !allowed.has(n)),
        [],
      );
    } finally {
      delete process.env.MCP_SECURE_TEST_LEAK;
    }
  });

  it('is refused when the handshake presents a wrong secret', async () => {
    // Env gets the right secret, but the handshake-only mode hides it from the env: the server cannot start.
    const wrong = makeManager(async () => generateSharedSecret());
    const def = stdioDef({
      secret: { mode: 'handshake' },
      env: { MCP_SECRET_ENV_VAR: 'NOTES_SECRET', NOTES_SECRET: secret },
    });
    await assert.rejects(wrong.connect(def), (e) => isMcpSecureError(e, 'handshake_rejected'));
    assert.equal(wrong.state('notes').kind, 'error');
    await wrong.disposeAll();
  });

  it('is refused without the secret: the server exits and the error carries its exit code', async () => {
    const def = stdioDef({ secret: { mode: 'none' } });
    await assert.rejects(
      manager.connect(def),
      (e) => isMcpSecureError(e, 'server_exited') && /exit code 3/.test((e as Error).message),
    );
    assert.ok(logger.text().includes('refusing to start'), 'stderr is captured into the log');
  });

  it('reports a child that dies as server_exited and tears the process down on close', async () => {
    const conn = await manager.connect(stdioDef());
    const pid = (conn as unknown as { opts: { transport: { pid: number } } }).opts.transport.pid;
    const changed = new Promise<void>((resolve) => {
      manager.onDidChangeState((e) => {
        if (e.state.kind === 'error') resolve();
      });
    });
    process.kill(pid, 'SIGKILL');
    await changed;
    const state = manager.state('notes');
    assert.equal(state.kind, 'error');
    assert.equal(state.kind === 'error' && state.code, 'server_exited');
  });

  it('a child that dies mid-call -> server_exited with its exit code, one transport_error record', async () => {
    const conn = await manager.connect(stdioDef({ env: { MCP_FIXTURE_CRASH_TOOL: '1' } }));
    await assert.rejects(
      conn.callTool('crash', {}, { caller: 'test' }),
      (e) => isMcpSecureError(e, 'server_exited') && /exit code 7/.test((e as Error).message),
    );
    assert.equal(observer.records.length, 1);
    const outcome = observer.records[0]!.outcome;
    assert.ok(outcome.kind === 'transport_error' && outcome.code === 'server_exited');
  });

  it('env-only mode works with a server that only checks its environment, and fails against one that checks the handshake', async () => {
    const envOnly = await manager.connect(
      stdioDef({ secret: { mode: 'env' }, env: { MCP_FIXTURE_SECRET_MODE: 'env' } }),
    );
    assert.equal((await envOnly.callTool('echo', { text: 'x' }, { caller: 'test' })).isError, false);
    await manager.disconnect('notes');
    await assert.rejects(manager.connect(stdioDef({ secret: { mode: 'env' } })), (e) =>
      isMcpSecureError(e, 'handshake_rejected'),
    );
  });

  it('uses a configurable secret variable name', async () => {
    const conn = await manager.connect(
      stdioDef({ secret: { mode: 'both', envVar: 'NOTES_KEY' }, env: { MCP_SECRET_ENV_VAR: 'NOTES_KEY' } }),
    );
    const names = JSON.parse(
      String((await conn.callTool('env_report', {}, { caller: 'test' })).content[0]?.text),
    ) as string[];
    assert.ok(names.includes('NOTES_KEY') && !names.includes('MCP_SHARED_SECRET'));
  });

  it('answers form elicitation, filling schema defaults (SEP-1034)', async () => {
    const asked: unknown[] = [];
    const m = new ConnectionManager({
      logger,
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => secret,
      elicitation: async (req) => {
        asked.push(req.defaults);
        return { action: 'accept', content: {} };
      },
    });
    try {
      const conn = await m.connect(stdioDef());
      const r = await conn.callTool('greet', {}, { caller: 'test' });
      assert.equal(r.content[0]?.text, 'Hello, world!');
      assert.deepEqual(asked, [{ name: 'world', excited: true }]);
    } finally {
      await m.disposeAll();
    }
  });

  it('masks the secret when a careless server prints it to stderr', async () => {
    const conn = await manager.connect(stdioDef({ env: { MCP_FIXTURE_LEAK_SECRET: '1' } }));
    await waitFor(() => conn.stderrTail().some((l) => l.includes('debug: secret is')), 5000);
    assert.ok(conn.stderrTail().some((l) => l.includes('secret is [REDACTED]')));
    assert.ok(!conn.stderrTail().join('\n').includes(secret));
    assert.ok(logger.text().includes('secret is [REDACTED]'));
  });

  it('kills the whole process tree on close', async () => {
    const { command, args } = stdioServerCommand();
    const script = `sleep 300 & echo "grandchild $!" >&2; exec "${command}" "${args[0]}"`;
    const conn = await manager.connect(
      parseServerDefinition({ id: 'notes', transport: 'stdio', command: '/bin/sh', args: ['-c', script] }),
    );
    await waitFor(() => conn.stderrTail().some((l) => l.startsWith('grandchild ')), 5000);
    const line = conn.stderrTail().find((l) => l.startsWith('grandchild '));
    const grandchild = Number(line?.split(' ')[1]);
    assert.ok(grandchild > 0, 'grandchild pid seen on stderr');
    await manager.disconnect('notes');
    const alive = (): boolean => {
      try {
        process.kill(grandchild, 0);
        return !/^Z/.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1] ?? '');
      } catch {
        return false;
      }
    };
    await waitFor(() => !alive(), 5000);
  });
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
