import { strict as assert } from 'node:assert';
import type { StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import type { ConfirmRequest } from '../../../src/vscode/prompts';
import { StdioLaunchGuard } from '../../../src/vscode/stdioLaunchGuard';

/** A Memento like the editor's globalState (in memory). */
function memento(): {
  get<T>(key: string, fallback: T): T;
  update(key: string, value: unknown): Promise<void>;
  keys(): readonly string[];
} {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string, fallback: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: async (key, value) => void values.set(key, value),
    keys: () => [...values.keys()],
  };
}

function stdio(overrides: Partial<StdioServerDefinition> = {}): StdioServerDefinition {
  return {
    id: 'notes',
    name: 'Notes',
    transport: 'stdio',
    command: '/usr/bin/node',
    args: ['server.js'],
    secret: { mode: 'generated', envVar: 'MCP_SHARED_SECRET' },
    ...overrides,
  } as StdioServerDefinition;
}

describe('StdioLaunchGuard', () => {
  function guard(answer: boolean): { guard: StdioLaunchGuard; asked: ConfirmRequest[] } {
    const asked: ConfirmRequest[] = [];
    const g = new StdioLaunchGuard(memento() as never, async (r) => {
      asked.push(r);
      return answer;
    });
    return { guard: g, asked };
  }

  it('asks before the first launch of a USER-settings command too, showing the full command line', async () => {
    const { guard: g, asked } = guard(true);
    await g.ensureAllowed(stdio(), 'user');
    assert.equal(asked.length, 1);
    const [request] = asked;
    assert.equal(request?.kind, 'stdioLaunch');
    assert.match(request?.message ?? '', /user settings define the MCP server "Notes"/);
    assert.match(request?.detail ?? '', /\/usr\/bin\/node server\.js/);
  });

  it('remembers a confirmation, and asks again when what runs changes', async () => {
    const { guard: g, asked } = guard(true);
    await g.ensureAllowed(stdio(), 'workspace');
    await g.ensureAllowed(stdio(), 'workspace');
    assert.equal(asked.length, 1);
    await g.ensureAllowed(stdio({ args: ['server.js', '--evil'] }), 'workspace');
    assert.equal(asked.length, 2);
  });

  it('a refusal throws "cancelled" and is not remembered', async () => {
    const { guard: g, asked } = guard(false);
    await assert.rejects(g.ensureAllowed(stdio(), 'user'), (e: { code?: string }) => e.code === 'cancelled');
    await assert.rejects(g.ensureAllowed(stdio(), 'user'), (e: { code?: string }) => e.code === 'cancelled');
    assert.equal(asked.length, 2);
  });

  it('does not ask about a command the user just typed into Add Server (remember)', async () => {
    const { guard: g, asked } = guard(false);
    await g.remember(stdio());
    await g.ensureAllowed(stdio(), 'user');
    assert.equal(asked.length, 0);
  });

  it('sanitises the server name and the command line in the question', async () => {
    const { guard: g, asked } = guard(true);
    await g.ensureAllowed(
      stdio({ name: '[ok](command:mcpSecure.addServer) $(pass)\u202E', args: ['a\u200Bb'] }),
      'workspace',
    );
    const text = `${asked[0]?.message}\n${asked[0]?.detail}`;
    assert.ok(!/\]\(|command:|\$\(|[\u202E\u200B]/.test(text), text);
  });

  it('a confirmation in one settings scope does not allow the same command from the other', async () => {
    const { guard: g, asked } = guard(true);
    await g.ensureAllowed(stdio(), 'user');
    await g.ensureAllowed(stdio(), 'workspace');
    await g.ensureAllowed(stdio(), 'user');
    assert.deepEqual(
      asked.map((r) => r.kind === 'stdioLaunch' && r.origin),
      ['user', 'workspace'],
    );
  });

  it('shows the command line exactly: shell substitution is escaped, never dropped', async () => {
    const { guard: g, asked } = guard(true);
    await g.ensureAllowed(stdio({ command: '/bin/sh', args: ['-c', 'echo $(whoami) > /tmp/x'] }), 'workspace');
    assert.match(asked[0]?.detail ?? '', /\\\$\\\(whoami\\\)/);
    assert.ok(!(asked[0]?.detail ?? '').includes('$('), 'never a codicon');
  });
});
