import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import { codeOf } from './support/codeOf';
import { headlessOpener } from './support/fakeAuthServer';

/**
 * Issue 7 item 9: a remote MCP server (or its authorization server) must not make the client GET or
 * POST a loopback URL through `resource_metadata`, PRM `authorization_servers` or AS metadata
 * endpoints. The remote side is served through the engine's injected `fetch` seam (the only way to
 * have a non-loopback origin in a test); the loopback victim is a real HTTP server that records
 * every request it receives.
 */
describe('loopback SSRF: URLs from a remote server never reach this machine', () => {
  let victim: Server;
  let victimOrigin: string;
  let hits: string[];
  const MCP = 'https://mcp.example.test/mcp';
  const AS = 'https://as.example.test';

  before(async () => {
    victim = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => victim.listen(0, '127.0.0.1', resolve));
    victimOrigin = `http://127.0.0.1:${(victim.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    hits = [];
  });
  after(async () => new Promise<void>((resolve) => victim.close(() => resolve())));

  /** The remote world: documents by URL for *.example.test, the real network for anything else. */
  function remoteFetch(docs: Record<string, unknown>): typeof fetch {
    return async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!url.hostname.endsWith('.example.test')) return fetch(input, init);
      const doc = docs[url.href];
      return doc === undefined ? new Response('{}', { status: 404 }) : Response.json(doc);
    };
  }
  const prm = (servers: string[]): Record<string, unknown> => ({
    'https://mcp.example.test/.well-known/oauth-protected-resource/mcp': {
      resource: MCP,
      authorization_servers: servers,
    },
  });
  const asMetadata = (overrides: Record<string, string>): Record<string, unknown> => ({
    [`${AS}/.well-known/oauth-authorization-server`]: {
      issuer: AS,
      authorization_endpoint: `${AS}/authorize`,
      token_endpoint: `${AS}/token`,
      registration_endpoint: `${AS}/register`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      ...overrides,
    },
  });
  async function signIn(docs: Record<string, unknown>, resourceMetadataUrl?: string): Promise<string> {
    const engine = new OAuthEngine({
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      opener: headlessOpener(),
      fetch: remoteFetch(docs),
      redirectTimeoutMs: 2000,
    });
    try {
      return await codeOf(engine.signIn({ id: 'remote', url: MCP }, { resourceMetadataUrl }));
    } finally {
      engine.dispose();
    }
  }

  it('refuses a resource_metadata URL on loopback from a remote server, before any request', async () => {
    assert.deepEqual([await signIn(prm([AS]), `${victimOrigin}/admin/delete`), hits], ['insecure_url', []]);
  });

  it("refuses a loopback authorization server named by a remote server's PRM", async () => {
    assert.deepEqual([await signIn(prm([victimOrigin])), hits], ['insecure_url', []]);
  });

  for (const member of [
    'token_endpoint',
    'registration_endpoint',
    'revocation_endpoint',
    'jwks_uri',
    'authorization_endpoint',
  ]) {
    it(`refuses a loopback ${member} in a remote authorization server's metadata`, async () => {
      const docs = { ...prm([AS]), ...asMetadata({ [member]: `${victimOrigin}/internal` }) };
      assert.deepEqual([await signIn(docs), hits], ['insecure_url', []]);
    });
  }
});
