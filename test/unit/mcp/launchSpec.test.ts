import { strict as assert } from 'node:assert';
import { launchSpec, launchSpecKey } from '../../../src/core/mcp/launchSpec';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';

/** Issue 7 item 14: the launch confirmation (and the stdio secret) are bound to everything that changes what runs. */
describe('stdio launch spec key', () => {
  const base = {
    id: 'notes',
    name: 'Notes',
    transport: 'stdio',
    command: '/usr/bin/node',
    args: ['server.mjs', '--port', '1'],
    cwd: '/srv/notes',
    env: { LOG_LEVEL: 'info' },
    secret: { mode: 'env', envVar: 'MCP_SHARED_SECRET' },
  };
  const parse = (raw: Record<string, unknown>): StdioServerDefinition =>
    parseServerDefinition(raw) as StdioServerDefinition;
  const key = (raw: Record<string, unknown>): string => launchSpecKey(parse(raw));

  it('changes when anything that changes what runs changes, including the secret variable and mode', () => {
    const variants: Record<string, Record<string, unknown>> = {
      command: { ...base, command: '/usr/bin/python3' },
      argValue: { ...base, args: ['server.mjs', '--port', '2'] },
      argOrder: { ...base, args: ['--port', '1', 'server.mjs'] },
      argAdded: { ...base, args: [...base.args, '--debug'] },
      cwd: { ...base, cwd: '/tmp' },
      cwdRemoved: { ...base, cwd: undefined },
      envValue: { ...base, env: { LOG_LEVEL: 'debug' } },
      envAdded: { ...base, env: { ...base.env, NODE_OPTIONS: '--require /tmp/x.js' } },
      secretEnvVar: { ...base, secret: { mode: 'env', envVar: 'NODE_OPTIONS' } },
      secretMode: { ...base, secret: { mode: 'both', envVar: 'MCP_SHARED_SECRET' } },
    };
    const keys = new Map<string, string>([['base', key(base)]]);
    for (const [name, raw] of Object.entries(variants)) keys.set(name, key(raw));
    assert.equal(new Set(keys.values()).size, keys.size, `every variant has its own key: ${JSON.stringify([...keys])}`);
  });

  it('is derived from the whole parsed definition: every field but the labels (id, name) is in the spec', () => {
    const def = parse(base);
    assert.deepEqual(
      Object.keys(launchSpec(def)).sort(),
      Object.keys(def)
        .filter((k) => k !== 'id' && k !== 'name')
        .sort(),
    );
    // A field added to the definition later is covered without touching the key function.
    const future = { ...def, sandbox: 'strict' } as unknown as StdioServerDefinition;
    assert.notEqual(launchSpecKey(future), launchSpecKey(def));
  });

  it('does not change with labels or the order of environment keys', () => {
    assert.equal(key({ ...base, id: 'other', name: 'Other' }), key(base));
    assert.equal(key({ ...base, env: { B: '2', A: '1' } }), key({ ...base, env: { A: '1', B: '2' } }));
  });
});
