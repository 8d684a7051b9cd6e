/**
 * A deliberately weak (but spec-shaped) MCP server + authorization server on 127.0.0.1, for the
 * security report's negative verdicts: no PKCE advertised, no RFC 9207 `iss` support, no revocation
 * endpoint, no DPoP, and a 401 challenge without `resource_metadata`. Toggles make it worse.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WeakServerConfig {
  /** PRM `resource` (default: this server's MCP URL). */
  prmResource?: string;
  /** AS metadata `issuer` (default: this origin). */
  metadataIssuer?: string;
  /** Omit the registration endpoint too. */
  noRegistration?: boolean;
  /** Serve no PRM at all. */
  noPrm?: boolean;
}

export interface WeakServer {
  readonly origin: string;
  readonly mcpUrl: string;
  /** Every request path, in order. */
  readonly requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startWeakServer(config: WeakServerConfig = {}): Promise<WeakServer> {
  const requests: WeakServer['requests'] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization });
    const json = (status: number, doc: unknown): void =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    req.resume();
    if (path === '/mcp') {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="weak"' }).end();
    } else if (path === '/.well-known/oauth-protected-resource/mcp' && !config.noPrm) {
      json(200, { resource: config.prmResource ?? `${origin}/mcp`, authorization_servers: [origin] });
    } else if (path === '/.well-known/oauth-authorization-server') {
      json(200, {
        issuer: config.metadataIssuer ?? origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        ...(config.noRegistration ? {} : { registration_endpoint: `${origin}/register` }),
        response_types_supported: ['code'],
      });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    mcpUrl: `${origin}/mcp`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
