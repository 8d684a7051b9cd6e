import { strict as assert } from 'node:assert';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redactor, REDACTED, shannonEntropy } from '../../../src/core/common/redaction';

const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'alice', scope: 'tickets:read' })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;

describe('Redactor', () => {
  const r = new Redactor();

  it('redacts by key name, case-insensitive and nested, including arrays and non-string values', () => {
    const out = r.redactValue({
      Password: 'hunter2',
      nested: { API_KEY: 'k', deeper: [{ 'Set-Cookie': 'sid=1' }, { client_secret: 42 }] },
      Authorization: 'Basic abc',
      refresh_token: 'rt',
      accessToken: 'at',
      private_key: 'pk',
      githubToken: 'gh',
      dbPassword: 'x',
      'x-api-key': 'y',
      cookie: 'c',
      maxTokens: 100,
      status: 'open',
    }) as Record<string, unknown>;
    assert.deepEqual(out, {
      Password: REDACTED,
      nested: { API_KEY: REDACTED, deeper: [{ 'Set-Cookie': REDACTED }, { client_secret: REDACTED }] },
      Authorization: REDACTED,
      refresh_token: REDACTED,
      accessToken: REDACTED,
      private_key: REDACTED,
      githubToken: REDACTED,
      dbPassword: REDACTED,
      'x-api-key': REDACTED,
      cookie: REDACTED,
      maxTokens: 100,
      status: 'open',
    });
  });

  it('redacts pass, *_key, camelCase keys, name/value lists and URL userinfo; keeps public keys and labels', () => {
    assert.deepEqual(
      r.redactValue({
        pass: 'p1',
        db_pass: 'p2',
        STRIPE_KEY: 'k1',
        signingKey: 'k2',
        public_key: 'pub',
        primaryKey: 'id',
        key: 'label',
        monkey: 'm',
        env: [
          { name: 'API_TOKEN', value: 'v1' },
          { name: 'HOME', value: '/root' },
        ],
        params: [{ key: 'client_secret', value: 'v2' }],
      }),
      {
        pass: REDACTED,
        db_pass: REDACTED,
        STRIPE_KEY: REDACTED,
        signingKey: REDACTED,
        public_key: 'pub',
        primaryKey: 'id',
        key: 'label',
        monkey: 'm',
        env: [
          { name: 'API_TOKEN', value: REDACTED },
          { name: 'HOME', value: '/root' },
        ],
        params: [{ key: 'client_secret', value: REDACTED }],
      },
    );
    assert.equal(
      r.redactText('postgres://app:s3cr3t@db:5432/x and https://example.com/a?b=c'),
      `postgres://app:${REDACTED}@db:5432/x and https://example.com/a?b=c`,
    );
  });

  it('supports a configurable key list', () => {
    const custom = new Redactor({ keys: ['ssn'] });
    assert.deepEqual(custom.redactValue({ SSN: '123', name: 'a' }), { SSN: REDACTED, name: 'a' });
    const only = new Redactor({ keys: ['ssn'], replaceDefaultKeys: true });
    assert.deepEqual(only.redactValue({ password: 'shown', ssn: 1 }), { password: 'shown', ssn: REDACTED });
  });

  it('redacts by value shape: JWT, Bearer/DPoP credentials, PEM private keys, key=value secrets', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const text = `token ${jwt} then Authorization: Bearer abc.def-123_XYZ and DPoP xyz123456 key:\n${pem} and password=swordfish&x=1`;
    const out = r.redactText(text);
    assert.ok(!out.includes(jwt.split('.')[1]!));
    assert.ok(!out.includes('abc.def-123_XYZ'));
    assert.ok(!out.includes('xyz123456'));
    assert.ok(!out.includes('PRIVATE KEY-----\n'));
    assert.ok(!out.includes('swordfish'));
    assert.match(out, /Bearer \[REDACTED\]/);
    assert.match(out, /x=1/);
  });

  it('redacts well-known token formats', () => {
    const out = r.redactText(
      'gh ghp_0123456789abcdefABCDEF0123456789abcd aws AKIAIOSFODNN7EXAMPLE key sk-proj-abcdefghijklmnop1234',
    );
    assert.equal(out, `gh ${REDACTED} aws ${REDACTED} key ${REDACTED}`);
  });

  it('redacts long high-entropy tokens but not words, paths, UUIDs, hashes or code', () => {
    assert.equal(
      r.redactText('globalThis.__pwned=1 someVeryLongFunctionName2()'),
      'globalThis.__pwned=1 someVeryLongFunctionName2()',
    );
    const secret = randomBytes(24).toString('base64url');
    const out = r.redactText(
      `key ${secret} path /home/user/projects/mcp-secure-connections/src/core commit 3f786850e387550fdab836ed7e6dc881de23001b id 123e4567-e89b-12d3-a456-426614174000 internationalization`,
    );
    assert.ok(!out.includes(secret));
    assert.match(out, /\/home\/user\/projects\/mcp-secure-connections\/src\/core/);
    assert.match(out, /3f786850e387550fdab836ed7e6dc881de23001b/);
    assert.match(out, /123e4567-e89b-12d3-a456-426614174000/);
    assert.match(out, /internationalization/);
    assert.ok(shannonEntropy(secret) > 4);
  });

  it('removes secrets registered at runtime wherever they appear, until disposed', () => {
    const rr = new Redactor();
    const shared = 'plain-words-secret';
    const reg = rr.registerSecret(shared);
    assert.deepEqual(rr.redactValue({ note: `use ${shared} now`, list: [shared] }), {
      note: `use ${REDACTED} now`,
      list: [REDACTED],
    });
    reg.dispose();
    assert.equal(rr.redactText(shared), shared);
  });

  it('redacts secret-looking keys themselves and survives cycles and depth', () => {
    const a: Record<string, unknown> = { ok: 1 };
    a.self = a;
    assert.deepEqual(r.redactValue(a), { ok: 1, self: '[Circular]' });
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    assert.ok(JSON.stringify(r.redactValue(deep)).includes('[…]'));
    const keyed = r.redactValue({ [jwt]: 1 }) as Record<string, unknown>;
    assert.ok(!JSON.stringify(keyed).includes(jwt.split('.')[2]!));
  });
});
