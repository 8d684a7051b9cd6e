/**
 * Imported credentials live in secret storage and the definition only names them (issue 12, item 7):
 * `secretEnv` reaches a real stdio child's environment, `secretHeaders` a real HTTP request, and
 * the stored values are bound to the definition they were imported with.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { createAuthorizedFetch } from '../../../src/core/mcp/authorizedFetch';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret } from '../../../src/core/mcp/stdioSecret';
import { anonymousAuthorizer, type RequestAuthorizer } from '../../../src/core/requestAuthorizer';
import { ServerSecrets } from '../../../src/vscode/serverSecrets';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';

const canary = (): string => `canary-${randomBytes(24).toString('base64url')}`;

describe('definition secrets (secretEnv / secretHeaders)', () => {
  const rejects = (raw: Record<string, unknown>, field: string): void =>
    assert.throws(
      () => parseServerDefinition(raw),
      (e: Error) => e.message.includes(`"${field}`),
    );

  it('a definition names its secret variables and headers; clashes and transport headers are refused', () => {
    const stdio = { id: 's', transport: 'stdio', command: 'node' };
    const web = { id: 'h', transport: 'http', url: 'https://mcp.example.com/mcp' };
    assert.deepEqual((parseServerDefinition({ ...stdio, secretEnv: ['API_KEY'] }) as StdioServerDefinition).secretEnv, [
      'API_KEY',
    ]);
    assert.deepEqual(parseServerDefinition({ ...web, secretHeaders: ['Authorization', 'X-Api-Key'] }), {
      ...web,
      name: 'h',
      secretHeaders: ['Authorization', 'X-Api-Key'],
    });
    rejects({ ...stdio, env: { API_KEY: 'x' }, secretEnv: ['API_KEY'] }, 'secretEnv.API_KEY');
    rejects({ ...stdio, secretEnv: ['MCP_SHARED_SECRET'] }, 'secretEnv.MCP_SHARED_SECRET');
    rejects({ ...stdio, secretEnv: ['BAD NAME'] }, 'secretEnv');
    rejects({ ...stdio, secretEnv: ['A', 'A'] }, 'secretEnv');
    rejects({ ...web, secretHeaders: ['Host'] }, 'secretHeaders.Host');
    rejects({ ...web, headers: { 'X-Key': 'a' }, secretHeaders: ['x-key'] }, 'secretHeaders.x-key');
    rejects({ ...web, secretEnv: ['A'] }, 'secretEnv');
  });

  it('stored values go only to the definition they were stored for', async () => {
    const secrets = new ServerSecrets(new MemorySecretStore());
    const def = parseServerDefinition({ id: 's', transport: 'stdio', command: 'node', secretEnv: ['API_KEY'] });
    const value = canary();
    await secrets.setDefinitionSecrets(def, { API_KEY: value, NOT_LISTED: 'x' });
    assert.deepEqual(await secrets.definitionSecrets(def), { API_KEY: value });
    const moved = parseServerDefinition({ id: 's', transport: 'stdio', command: '/tmp/other', secretEnv: ['API_KEY'] });
    assert.deepEqual(await secrets.definitionSecrets(moved), {}, 'a changed command line gets nothing');
    const web = parseServerDefinition({
      id: 'h',
      transport: 'http',
      url: 'https://a.example.com/mcp',
      secretHeaders: ['X-Key'],
    });
    await secrets.setDefinitionSecrets(web, { 'X-Key': value });
    const elsewhere = parseServerDefinition({ ...web, url: 'https://b.example.com/mcp' });
    assert.deepEqual(await secrets.definitionSecrets(elsewhere), {}, 'another URL gets nothing');
    await secrets.forget('h');
    assert.deepEqual(await secrets.definitionSecrets(web), {});
  });

  it('a stored secret variable reaches the real stdio child, and only when stored', async () => {
    const { command, args } = stdioServerCommand();
    const def = parseServerDefinition({
      id: 'imported',
      transport: 'stdio',
      command,
      args,
      secretEnv: ['IMPORTED_API_KEY'],
    }) as StdioServerDefinition;
    const secrets = new ServerSecrets(new MemorySecretStore());
    const manager = new ConnectionManager({
      logger: new MemoryLogger(),
      authorizerFor: () => anonymousAuthorizer,
      stdioSecretFor: async () => generateSharedSecret(),
      definitionSecretsFor: (d) => secrets.definitionSecrets(d),
    });
    const envNames = async (): Promise<string[]> => {
      const conn = await manager.connect(def);
      const result = await conn.callTool('env_report', {}, { caller: 'test' });
      await manager.disconnect(def.id);
      return JSON.parse(String(result.content[0]?.text ?? '[]')) as string[];
    };
    try {
      assert.ok(!(await envNames()).includes('IMPORTED_API_KEY'), 'nothing stored: nothing set');
      await secrets.setDefinitionSecrets(def, { IMPORTED_API_KEY: canary() });
      assert.ok((await envNames()).includes('IMPORTED_API_KEY'));
    } finally {
      await manager.disposeAll();
    }
  });

  it('stored headers are sent to the endpoint; an OAuth token from the authorizer wins over a stored Authorization', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const stored = canary();
    const fetchWith = (authorizer: RequestAuthorizer) =>
      createAuthorizedFetch({
        endpoint,
        authorizer,
        logger: new MemoryLogger(),
        secretHeaders: { Authorization: `Bearer ${stored}`, 'X-Api-Key': stored },
        maxResponseBytes: 1024,
      });
    try {
      await fetchWith(anonymousAuthorizer)(endpoint, {
        method: 'POST',
        headers: { authorization: 'Bearer from-caller' },
      });
      await fetchWith({ ...anonymousAuthorizer, headersFor: async () => ({ Authorization: 'Bearer oauth' }) })(
        endpoint,
        {
          method: 'POST',
        },
      );
      assert.equal(seen[0]?.authorization, `Bearer ${stored}`);
      assert.equal(seen[0]?.['x-api-key'], stored);
      assert.equal(seen[1]?.authorization, 'Bearer oauth');
    } finally {
      server.close();
    }
  });
});
