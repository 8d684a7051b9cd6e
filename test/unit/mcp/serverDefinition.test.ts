import { strict as assert } from 'node:assert';
import { McpSecureError } from '../../../src/core/errors';
import { buildChildEnvironment } from '../../../src/core/mcp/childEnvironment';
import { describeState, type ConnectionState } from '../../../src/core/mcp/connectionState';
import { LineRingBuffer } from '../../../src/core/mcp/ringBuffer';
import { describeTarget, parseServerDefinition, stdioProtocol } from '../../../src/core/mcp/serverDefinition';
import type { OAuthServer } from '../../../src/core/oauth/types';
import { generateSharedSecret, secretFingerprint, secretsEqual } from '../../../src/core/mcp/stdioSecret';

function rejects(raw: unknown, field: string): void {
  assert.throws(
    () => parseServerDefinition(raw),
    (e: unknown) => {
      assert.ok(e instanceof McpSecureError, String(e));
      assert.equal(e.code, 'invalid_server_definition');
      assert.ok(e.message.includes(`"${field}"`), `message names ${field}: ${e.message}`);
      return true;
    },
  );
}

describe('server definitions', () => {
  const http = { id: 'tickets', name: 'Tickets', transport: 'http', url: 'https://mcp.example.com/mcp' };
  const stdio = { id: 'notes', name: 'Notes', transport: 'stdio', command: '/usr/bin/node', args: ['server.mjs'] };

  it('a stdio definition takes a protocol (default 2025-11-25, the initialize handshake) and refuses unknown ones', () => {
    const parsed = parseServerDefinition({ ...stdio, protocol: '2026-07-28' });
    assert.equal(parsed.transport === 'stdio' && parsed.protocol, '2026-07-28');
    const plain = parseServerDefinition(stdio);
    assert.equal(plain.transport === 'stdio' && stdioProtocol(plain), '2025-11-25');
    rejects({ ...stdio, protocol: '2024-11-05' }, 'protocol');
  });

  it('accepts valid HTTP and stdio definitions and fills defaults', () => {
    assert.deepEqual(parseServerDefinition(http), { ...http });
    assert.deepEqual(
      parseServerDefinition({
        ...http,
        url: 'http://127.0.0.1:8080/mcp',
        protocol: '2026-07-28',
        oauth: { scopes: ['tickets:read'], pkce: 'require' },
      }),
      {
        ...http,
        url: 'http://127.0.0.1:8080/mcp',
        protocol: '2026-07-28',
        oauth: { scopes: ['tickets:read'], pkce: 'require' },
      },
    );
    assert.deepEqual(parseServerDefinition(stdio), { ...stdio, secret: { mode: 'both', envVar: 'MCP_SHARED_SECRET' } });
    assert.deepEqual(
      parseServerDefinition({
        ...stdio,
        command: 'npx',
        secret: { mode: 'env', envVar: 'NOTES_KEY' },
        env: { DEBUG: '1' },
        cwd: '/tmp',
      }),
      {
        ...stdio,
        command: 'npx',
        secret: { mode: 'env', envVar: 'NOTES_KEY' },
        env: { DEBUG: '1' },
        cwd: '/tmp',
      },
    );
    assert.equal(describeTarget(parseServerDefinition({ ...stdio, args: ['a b', 'c'] })), '/usr/bin/node "a b" c');
  });

  it('names the offending field for every kind of bad input', () => {
    rejects('nope', 'definition');
    rejects({ ...http, id: '../x' }, 'id');
    rejects({ ...http, transport: 'ftp' }, 'transport');
    rejects({ ...http, url: 'not a url' }, 'url');
    rejects({ ...http, url: 'http://mcp.example.com/mcp' }, 'url');
    rejects({ ...http, url: 'javascript:alert(1)' }, 'url');
    rejects({ ...http, url: 'https://user:pw@mcp.example.com/' }, 'url');
    rejects({ ...http, extra: 1 }, 'extra');
    rejects({ ...http, protocol: '2024-01-01' }, 'protocol');
    rejects({ ...http, oauth: { pkce: 'plain' } }, 'oauth.pkce');
    rejects({ ...http, oauth: { token: 'x' } }, 'oauth.token');
    rejects({ ...http, headers: { Authorization: 'Bearer x' } }, 'headers.Authorization');
    rejects({ ...stdio, command: './server.sh' }, 'command');
    rejects({ ...stdio, command: 'bin/server' }, 'command');
    rejects({ ...stdio, args: 'a b' }, 'args');
    rejects({ ...stdio, cwd: 'relative' }, 'cwd');
    rejects({ ...stdio, secret: { mode: 'sometimes' } }, 'secret.mode');
    rejects({ ...stdio, secret: { mode: 'env', envVar: '1BAD-NAME' } }, 'secret.envVar');
    rejects({ ...stdio, env: { 'BAD NAME': 'x' } }, 'env.BAD NAME');
    rejects({ ...stdio, env: { MCP_SHARED_SECRET: 'x' } }, 'env.MCP_SHARED_SECRET');
    rejects({ ...stdio, url: 'https://x' }, 'url');
  });

  it("accepts only the engine's grant kinds for oauth.grant, and the result is the engine's type (no cast)", () => {
    for (const grant of ['authorization_code', 'client_credentials', 'token_exchange', 'jwt_bearer'] as const) {
      const def = parseServerDefinition({ ...http, oauth: { grant } });
      assert.ok(def.transport === 'http');
      const server: OAuthServer = { id: def.id, url: def.url, options: def.oauth };
      assert.equal(server.options?.grant, grant);
    }
    for (const grant of ['password', 'implicit', 'Client_Credentials', '', 7, 'toString', '__proto__'])
      rejects({ ...http, oauth: { grant } }, 'oauth.grant');
    assert.throws(
      () => parseServerDefinition({ ...http, oauth: { grant: 'password' } }),
      /"authorization_code", "client_credentials"/,
    );
  });

  it('accepts oauth.issuer next to a clientId, exactly as written, and refuses it alone or malformed', () => {
    const def = parseServerDefinition({ ...http, oauth: { clientId: 'pre-1', issuer: 'https://login.example.com' } });
    assert.ok(def.transport === 'http');
    assert.equal(
      def.oauth?.issuer,
      'https://login.example.com',
      'no trailing slash added: issuers compare as exact strings',
    );
    rejects({ ...http, oauth: { issuer: 'https://login.example.com' } }, 'oauth.issuer');
    for (const issuer of ['http://login.example.com', 'https://login.example.com?x=1', 'not a url', '']) {
      rejects({ ...http, oauth: { clientId: 'pre-1', issuer } }, 'oauth.issuer');
    }
  });

  it('never echoes field values (which may be secrets) in the error', () => {
    try {
      parseServerDefinition({ ...http, oauth: { clientSecret: 42 } });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(!(e as Error).message.includes('42'));
    }
  });
});

describe('stdio shared secrets', () => {
  it('are 256-bit CSPRNG values, base64url, distinct; fingerprints are stable and short', () => {
    const a = generateSharedSecret();
    const b = generateSharedSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, b);
    assert.equal(secretFingerprint(a), secretFingerprint(a));
    assert.match(secretFingerprint(a), /^sha256:[0-9a-f]{16}$/);
    assert.ok(!secretFingerprint(a).includes(a));
    assert.ok(secretsEqual(a, a) && !secretsEqual(a, b));
  });

  it('the child environment is an allowlist plus the definition env plus the secret', () => {
    const env = buildChildEnvironment({
      parentEnv: {
        PATH: '/bin',
        HOME: '/home/u',
        AWS_SECRET_ACCESS_KEY: 'leak',
        GITHUB_TOKEN: 'leak',
        LANG: 'C.UTF-8',
        BASH_FUNC_x: '() { :; }',
      },
      definitionEnv: { DEBUG: '1' },
      secret: { name: 'MCP_SHARED_SECRET', value: 's' },
      platform: 'linux',
    });
    assert.deepEqual(env, { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', DEBUG: '1', MCP_SHARED_SECRET: 's' });
    const win = buildChildEnvironment({
      parentEnv: { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', SECRET: 'x' },
      platform: 'win32',
    });
    assert.deepEqual(win, { PATH: 'C:\\Windows', SYSTEMROOT: 'C:\\Windows' });
  });
});

describe('connection state and stderr buffer', () => {
  it('describes every state', () => {
    const states: ConnectionState[] = [
      { kind: 'stopped' },
      { kind: 'starting' },
      { kind: 'running', protocolVersion: '2025-11-25', wire: 'stdio' },
      { kind: 'error', code: 'server_exited', message: 'gone' },
    ];
    assert.deepEqual(states.map(describeState), ['Stopped', 'Starting…', 'Running (stdio, 2025-11-25)', 'Error: gone']);
  });

  it('keeps only the most recent lines within the byte budget', () => {
    const buf = new LineRingBuffer(3, 1000);
    assert.deepEqual(buf.push('a\nb\nc'), ['a', 'b']);
    buf.push('\nd\ne\n');
    assert.deepEqual(buf.snapshot(), ['c', 'd', 'e']);
    const small = new LineRingBuffer(100, 10);
    small.push('0123456789\nabc\n');
    assert.deepEqual(small.snapshot(), ['abc']);
  });
});
