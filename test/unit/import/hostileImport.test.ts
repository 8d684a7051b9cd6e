/**
 * Every name, URL and value in another client's file is hostile (issue 12, item 7): URLs go through
 * the endpoint policy, entries through `parseServerDefinition`, and a credential never reaches a
 * settings entry or a skip reason (canary).
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readClientConfig } from '../../../src/core/import/clientConfigs';
import { planImport } from '../../../src/core/import/importPlan';
import { isSecretValue } from '../../../src/core/import/secretValues';

const canary = (): string => `canary-${randomBytes(24).toString('base64url')}`;

describe('import: hostile input', () => {
  it('refuses URLs outside the endpoint policy with invalid_url', () => {
    const secret = canary();
    const urls = {
      js: 'javascript:alert(1)',
      file: 'file:///etc/passwd',
      metadata: 'http://169.254.169.254/latest/meta-data',
      creds: `https://user:${secret}@mcp.example.com/mcp`,
      fragment: 'https://mcp.example.com/mcp#x',
      garbage: 'not a url',
      notString: 42,
    };
    const doc = { mcpServers: Object.fromEntries(Object.entries(urls).map(([k, url]) => [k, { type: 'http', url }])) };
    const plan = planImport(readClientConfig('claudeCode', JSON.stringify(doc)), []);
    assert.equal(plan.additions.length, 0);
    assert.deepEqual(
      plan.skipped.map((k) => k.reason),
      Object.keys(urls).map(() => 'invalid_url'),
    );
    assert.ok(!JSON.stringify(plan).includes(secret), 'the password in a URL is never repeated');
  });

  it('refuses relative commands, bad environment names, CR/LF in headers and reserved headers', () => {
    const doc = {
      mcpServers: {
        relative: { command: './evil.sh' },
        dots: { command: '..' },
        badEnv: { command: 'node', env: { 'BAD NAME': 'x' } },
        crlf: { url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'a\r\nX-Injected: 1' } },
        cookie: { url: 'https://mcp.example.com/mcp', headers: { Host: 'evil.example.com' } },
        sharedSecret: { command: 'node', env: { MCP_SHARED_SECRET: 'x' } },
        notObject: 'node server.js',
        argsNotList: { command: 'node', args: 'server.js' },
      },
    };
    const plan = planImport(readClientConfig('cursor', JSON.stringify(doc)), []);
    assert.equal(plan.additions.length, 0);
    assert.ok(
      plan.skipped.every((k) => k.reason === 'invalid_definition'),
      JSON.stringify(plan.skipped),
    );
  });

  it('keeps hostile names as data: ids are derived, names are kept for safe display', () => {
    const hostile = '[x](command:workbench.action.terminal.new) \u202e\u2066evil';
    const doc = {
      mcpServers: { [hostile]: { url: 'https://mcp.example.com/mcp' }, ['__proto__']: { command: 'node' } },
    };
    const plan = planImport(readClientConfig('cursor', JSON.stringify(doc)), []);
    assert.deepEqual(
      plan.additions.map((a) => [a.def.id, a.name]),
      [
        ['x-command-workbench.action.terminal.new-evil', hostile],
        ['proto__', '__proto__'],
      ],
    );
    assert.ok(plan.additions.every((a) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(a.def.id)));
  });

  it('a canary credential in env or headers is never in a settings entry, in every format', () => {
    const secret = canary();
    const stdio = { command: 'node', args: ['s.js'], env: { SERVICE_TOKEN: secret, MODE: 'fast' } };
    const http = {
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: `Bearer ${secret}`, 'X-Key': secret },
    };
    for (const [format, key] of [
      ['vscode', 'servers'],
      ['claudeDesktop', 'mcpServers'],
      ['cursor', 'mcpServers'],
      ['claudeCode', 'mcpServers'],
      ['claudeCodeUser', 'mcpServers'],
    ] as const) {
      const text = JSON.stringify({
        [key]: { s: stdio, h: { ...http, ...(format === 'vscode' ? { type: 'http' } : {}) } },
      });
      const plan = planImport(readClientConfig(format, text), []);
      assert.equal(plan.additions.length, 2, format);
      assert.ok(
        !JSON.stringify(plan.additions.map((a) => a.entry)).includes(secret),
        `${format}: no canary in settings`,
      );
      assert.ok(
        !JSON.stringify(plan.additions.map((a) => a.def)).includes(secret),
        `${format}: no canary in the definition`,
      );
      assert.deepEqual(plan.additions[0]?.secrets, { SERVICE_TOKEN: secret });
      assert.deepEqual(plan.additions[0]?.entry.env, { MODE: 'fast' });
      assert.deepEqual(plan.additions[1]?.secrets, { Authorization: `Bearer ${secret}`, 'X-Key': secret });
    }
  });

  it('skips a server whose arguments carry a credential (it would land in settings)', () => {
    const secret = canary();
    const doc = {
      mcpServers: {
        flag: { command: 'npx', args: ['-y', 'some-server', '--api-key', secret] },
        inline: { command: 'npx', args: ['some-server', `--token=${secret}`] },
        header: {
          command: 'npx',
          args: ['mcp-remote', 'https://mcp.example.com/mcp', '--header', `Authorization: Bearer ${secret}`],
        },
        dockerEnv: {
          command: 'docker',
          args: ['run', '-e', `GITHUB_TOKEN=${secret}`, 'ghcr.io/github/github-mcp-server'],
        },
        fine: {
          command: 'docker',
          args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server:v0.12.1'],
        },
      },
    };
    const plan = planImport(readClientConfig('claudeDesktop', JSON.stringify(doc)), []);
    assert.deepEqual(
      plan.skipped.map((k) => [k.name, k.reason]),
      ['flag', 'inline', 'header', 'dockerEnv'].map((n) => [n, 'secret_in_args']),
    );
    assert.deepEqual(
      plan.additions.map((a) => a.name),
      ['fine'],
    );
    assert.ok(!JSON.stringify(plan).includes(secret));
  });

  it('classifies credentials by name and by value shape', () => {
    for (const [name, value] of <[string, string][]>[
      ['GITHUB_TOKEN', 'abc'],
      ['X-Api-Key', 'x'],
      ['DB_PASSWORD', 'hunter2'],
      ['OPENAI_API_KEY', 'sk-proj-abc'],
      ['CONFIG', 'ghp_fixture-not-a-token'],
      ['UPSTREAM', 'postgres://u:p@db/x'],
      ['OPAQUE', 'a8f3k29dk3ms0s9d8f7g6h5j4k3l2'],
      ['HEADER', 'Bearer abc'],
    ])
      assert.equal(isSecretValue(name, value), true, `${name} is a credential`);
    for (const [name, value] of <[string, string][]>[
      ['LOG_LEVEL', 'debug'],
      ['PORT', '8080'],
      ['NODE_ENV', 'production'],
      ['ROOT', '/home/alice/projects/app-2024-archive'],
      ['ENDPOINT', 'https://api.example.com/v1'],
      ['HOST', 'db.internal.example.com'],
      ['X-Team', 'platform'],
    ])
      assert.equal(isSecretValue(name, value), false, `${name} is not a credential`);
  });
});
