import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { flatProperties, parsePrimitive, skeleton } from '../../../src/vscode/commands/toolSchema';
import { Redactor } from '../../../src/core/common/redaction';
import { readServerEntries } from '../../../src/vscode/serverEntries';

describe('extension adapters (pure parts)', () => {
  describe('Redactor', () => {
    it('removes registered secrets and credential-shaped values, keeps ordinary text', () => {
      const canary = `canary-${randomBytes(24).toString('base64url')}`;
      const r = new Redactor();
      r.registerSecret(
        JSON.stringify({
          accessToken: canary,
          refreshToken: 'rt-0123456789abcdef',
          issuer: 'http://127.0.0.1:1234',
          scope: 'tickets:read',
        }),
      );
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
      const line = r.redactText(
        `token ${canary} refresh rt-0123456789abcdef Authorization: Bearer abcdefgh12345678 jwt ${jwt} ` +
          `body access_token=opaque-value&client_secret=s3cr3t-value redirect http://127.0.0.1:5/cb?code=AUTHCODE123&state=x ` +
          `MCP_SHARED_SECRET=${randomBytes(32).toString('base64url')} issuer http://127.0.0.1:1234 scope tickets:read code: insufficient_scope`,
      );
      for (const leaked of [
        canary,
        'rt-0123456789abcdef',
        'abcdefgh12345678',
        jwt,
        'opaque-value',
        's3cr3t-value',
        'AUTHCODE123',
      ]) {
        assert.ok(!line.includes(leaked), `${leaked} leaked: ${line}`);
      }
      assert.match(line, /issuer http:\/\/127\.0\.0\.1:1234 scope tickets:read code: insufficient_scope/);
    });

    it('redacts a raw (non-JSON) registered value such as a shared secret', () => {
      const secret = randomBytes(32).toString('base64url');
      const r = new Redactor();
      r.registerSecret(secret);
      assert.equal(r.redactText(`x${secret}y`), 'x[REDACTED]y');
    });
  });

  describe('readServerEntries', () => {
    it('keeps valid entries, reports invalid and duplicate ones, and ignores the workspace when untrusted', () => {
      const user = [
        { id: 'a', transport: 'http', url: 'https://mcp.example.com/mcp' },
        { id: 'a', transport: 'http', url: 'https://other.example.com/mcp' },
        { id: 'b', transport: 'http', url: 'http://example.com/mcp' },
        { id: 'c', transport: 'http', url: 'https://x.example.com/', oauth: { clientId: 'x', clientSecret: 'nope' } },
        { id: 'd', transport: 'stdio', command: './relative' },
        'garbage',
      ];
      const workspace = [{ id: 'w', transport: 'stdio', command: '/usr/bin/env', args: ['node'] }];
      const trusted = readServerEntries({ user, workspace }, true);
      assert.deepEqual(
        trusted.filter((e) => e.kind === 'valid').map((e) => e.kind === 'valid' && `${e.def.id}:${e.origin}`),
        ['a:user', 'w:workspace'],
      );
      const invalid = trusted.filter((e) => e.kind === 'invalid');
      assert.equal(invalid.length, 5);
      assert.ok(invalid.every((e) => e.kind === 'invalid' && e.message.length > 0));
      assert.ok(!JSON.stringify(invalid).includes('nope'), 'client secret value never echoed');
      const untrusted = readServerEntries({ user, workspace }, false);
      assert.ok(!untrusted.some((e) => e.origin === 'workspace'));
    });
  });

  describe('tool argument schema', () => {
    it('treats primitives and string enums as flat, nested objects as complex', () => {
      const flat = flatProperties({
        type: 'object',
        properties: { id: { type: 'string' }, n: { type: 'integer' }, s: { enum: ['a', 'b'] } },
        required: ['id'],
      });
      assert.deepEqual(
        flat?.map((p) => [p.name, p.type, p.required]),
        [
          ['id', 'string', true],
          ['n', 'integer', false],
          ['s', 'string', false],
        ],
      );
      assert.equal(flatProperties({ type: 'object', properties: { o: { type: 'object' } } }), undefined);
      assert.deepEqual(flatProperties({ type: 'object' }), []);
    });
    it('parses typed answers and builds a skeleton of required properties', () => {
      assert.equal(parsePrimitive('integer', '3'), 3);
      assert.equal(parsePrimitive('integer', '3.5'), undefined);
      assert.equal(parsePrimitive('boolean', 'true'), true);
      assert.deepEqual(
        skeleton({
          properties: {
            a: { type: 'object', properties: { b: { type: 'number' } }, required: ['b'] },
            c: { type: 'string', default: 'x' },
            d: { type: 'string' },
          },
          required: ['a'],
        }),
        { a: { b: 0 }, c: 'x' },
      );
    });
  });
});
