import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** A minimal real token issuer for MCP tests: an RS256 key pair and a JWKS endpoint on 127.0.0.1. */
export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  sign(claims: { aud: string; scope: string; sub?: string; expiresIn?: string; iss?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIssuer(): Promise<LocalIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key: CryptoKey = privateKey;
  return {
    issuer: base,
    jwksUrl: `${base}/jwks`,
    sign: (c) =>
      new SignJWT({ scope: c.scope, client_id: 'test-client', preferred_username: 'alice' })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt' })
        .setIssuer(c.iss ?? base)
        .setAudience(c.aud)
        .setSubject(c.sub ?? 'user-alice')
        .setIssuedAt()
        .setExpirationTime(c.expiresIn ?? '5m')
        .sign(key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
