import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { serverDefinitionSchema } from '../../../src/core/mcp/serverDefinitionSchema';
import { serversManifestSchema } from '../../../scripts/serverSchemaManifest';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Section {
  properties: Record<string, { items?: unknown }>;
}

function settingsItems(): unknown {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: Section | Section[] };
  };
  return [pkg.contributes.configuration]
    .flat()
    .map((s) => s.properties['mcpSecure.servers'])
    .find((p) => p !== undefined)?.items;
}

const accepts = (raw: unknown): boolean => {
  try {
    parseServerDefinition(raw);
    return true;
  } catch {
    return false;
  }
};

const http = { id: 'tickets', name: 'Tickets', transport: 'http', url: 'https://mcp.example.com/mcp' };
const stdio = { id: 'local', transport: 'stdio', command: '/usr/bin/node', args: ['server.js'] };

/** Issue 10: the server-definition schema is defined once (zod) and package.json's setting follows it. */
describe('server-definition schema (one definition)', () => {
  it("package.json's mcpSecure.servers items are generated from the zod schema (npx tsx scripts/syncServerSchema.ts)", () => {
    const generated = serversManifestSchema();
    assert.deepEqual(settingsItems(), generated.schema);
    const nls = JSON.parse(readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
    for (const [key, text] of Object.entries(generated.nls)) assert.equal(nls[key], text, `package.nls.json ${key}`);
  });

  it('the settings schema allows what the parser accepts from settings: oauth.grant, and no client secret', () => {
    const oauth = (settingsItems() as { properties: { oauth: { properties: Record<string, unknown> } } }).properties
      .oauth.properties;
    assert.ok('grant' in oauth, 'oauth.grant is accepted by the code, so the settings schema must allow it');
    assert.ok(!('clientSecret' in oauth), 'a client secret never goes into settings');
    assert.equal(accepts({ ...http, oauth: { grant: 'client_credentials', clientId: 'c' } }), true);
  });

  it('the zod schema and the parser agree on the shape of every definition', () => {
    const cases: unknown[] = [
      http,
      stdio,
      { ...http, protocol: '2026-07-28', headers: { 'X-Tenant': 'a' }, exposeToChat: false },
      { ...http, oauth: { clientId: 'c', issuer: 'https://as.example', scopes: ['a', 'b:c'], pkce: 'assume-s256' } },
      { ...http, oauth: { grant: 'jwt_bearer', resourceParameter: 'audience', audience: 'x', dpop: true } },
      { ...http, oauth: { clientId: 'c', clientSecret: 's' } },
      { ...stdio, secret: { mode: 'env', envVar: 'MY_SECRET' }, env: { DEBUG: '1' }, cwd: '/tmp' },
      { ...stdio, secret: {} },
      { ...http, extra: 1 },
      { ...http, transport: 'ftp' },
      { ...http, id: '-x' },
      { ...http, id: 'x'.repeat(65) },
      { ...http, protocol: '2024-01-01' },
      { ...http, oauth: { pkce: 'plain' } },
      { ...http, oauth: { grant: 'password' } },
      { ...http, oauth: { token: 'x' } },
      { ...http, oauth: { scopes: ['a b'] } },
      { ...http, oauth: { dpop: 'yes' } },
      { ...http, headers: { 'Bad Name': 'x' } },
      { ...http, exposeToChat: 'no' },
      { ...http, name: '' },
      { ...stdio, secret: { mode: 'sometimes' } },
      { ...stdio, secret: { envVar: '1BAD' } },
      { ...stdio, env: { 'BAD-NAME': 'x' } },
      { ...stdio, args: [1] },
      { ...stdio, url: 'https://x' },
      { ...stdio, command: '' },
      { id: 'x', transport: 'http' },
    ];
    for (const raw of cases) {
      assert.equal(accepts(raw), serverDefinitionSchema.safeParse(raw).success, JSON.stringify(raw));
    }
  });
});
