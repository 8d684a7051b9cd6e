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
  return parseServerDefinition({ id: 'notes', name: 'Notes', transport: 'stdio', command, args, ...extra }) as StdioServerDefinition;
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
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'echo', 'env_report', 'read_note']);
    const sum = await conn.callTool('add', { a: 2, b: 3 }, { caller: 'test' });
    assert.deepEqual(sum.structuredContent, { sum: 5 });
    const missing = await conn.callTool('read_note', { name: 'nope' }, { caller: 'test' });
    assert.equal(missing.isError, true);
    assert.equal(observer.records.length, 2);
    assert.equal(observer.records[0]?.outcome.kind, 'success');
    assert.equal(observer.records[1]?.outcome.kind, 'tool_error');
    assert.deepEqual(observer.records[0]?.context.agent, { kind: 'shared-secret', fingerprint: secretFingerprint(secret) });
    assert.ok(!JSON.stringify(observer.records).includes(secret));
  });

  it('never puts the secret in argv and gives the child a minimal environment', async () => {
    process.env.MCP_SECURE_TEST_LEAK = 'should-not-be-inherited';
    try {
      const conn = await manager.connect(stdioDef({ env: { NOTES_MODE: 'demo' } }));
      const pid = (conn as unknown as { opts: { transport: { pid: number } } }).opts.transport.pid;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      assert.ok(!cmdline.includes(secret), 'secret not in /proc/<pid>/cmdline');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((l) => l.split('=')[0] ?? '');
      assert.ok(environ.includes('MCP_SHARED_SECRET') && environ.includes('NOTES_MODE') && environ.includes('PATH'));
      assert.ok(!environ.includes('MCP_SECURE_TEST_LEAK'));
      const allowed = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TZ', 'MCP_SHARED_SECRET', 'NOTES_MODE']);
      assert.deepEqual(environ.filter((n) => !allowed.has(n)), []);
    } finally {
      delete process.env.MCP_SECURE_TEST_LEAK;
    }
  });

  it('is refused when the handshake presents a wrong secret', async () => {
    // Env gets the right secret, but the handshake-only mode hides it from the env: the server cannot start.
    const wrong = makeManager(async () => generateSharedSecret());
    const def = stdioDef({ secret: { mode: 'handshake' }, env: { MCP_SECRET_ENV_VAR: 'NOTES_SECRET', NOTES_SECRET: secret } });
    await assert.rejects(wrong.connect(def), (e) => isMcpSecureError(e, 'handshake_rejected'));
    assert.equal(wrong.state('notes').kind, 'error');
    await wrong.disposeAll();
  });

  it('is refused without the secret: the server exits and the error carries its exit code', async () => {
    const def = stdioDef({ secret: { mode: 'none' } });
    await assert.rejects(manager.connect(def), (e) => isMcpSecureError(e, 'server_exited') && /exit code 3/.test((e as Error).message));
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
});
