/**
 * A small but real OAuth authorization server + MCP-ish resource server on 127.0.0.1, with failure
 * toggles and a request log, for the engine's negative tests. Access tokens are HS256 JWTs (the
 * resource server checks them itself); refresh tokens rotate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import {
  SignJWT,
  jwtVerify,
  decodeJwt,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from 'jose';

export interface FakeAsConfig {
  /** Override the metadata `issuer`. */
  metadataIssuer?: string;
  codeChallengeMethods?: string[] | null;
  issSupported?: boolean | null;
  issInRedirect?: 'correct' | 'omit' | 'wrong' | 'normalized';
  prmResource?: string;
  prmScopes?: string[];
  prmPath?: string | null;
  asScopes?: string[];
  /** Scope the resource server names in its 401 challenge. */
  challengeScope?: string;
  /** Scopes each MCP call requires, answered with a 401 naming them (a wider `scope` in the challenge). */
  unauthorizedScopes?: string[];
  /** Scopes each MCP call requires (403 insufficient_scope otherwise). */
  requiredScopes?: string[];
  /** The scopes the token endpoint grants (default: requested). */
  grantOnly?: string[];
  cimd?: boolean;
  dcr?: boolean;
  dpopAlgs?: string[];
  dpopNonce?: boolean;
  refreshFailure?: 'none' | 'server_error' | 'invalid_grant' | 'scope_refused';
  revokeFailure?: boolean;
  /** Refuse to revoke access tokens with RFC 7009 §2.2.1 `unsupported_token_type` (like oidc-provider for JWTs). */
  revokeAccessUnsupported?: boolean;
  authorizeError?: { error: string; description: string };
  metadataBody?: string;
  expiresIn?: number;
  /** The token endpoint answers 401 invalid_client (the AS forgot the registration). */
  invalidClient?: boolean;
  /** A client_secret handed out by dynamic registration (to plant a canary). */
  dcrSecret?: string;
  /** Override the metadata `authorization_endpoint` (hostile values). */
  authorizationEndpoint?: string;
  /** PRM `authorization_servers` (default: this server). */
  authorizationServers?: string[];
  /**
   * Hostile endpoints, by path: `silent` never answers, `endless` answers 200 (or `endlessStatus`)
   * with a JSON body that never ends, `huge` with a 1 MiB body declared in content-length.
   */
  misbehave?: Record<string, 'silent' | 'endless' | 'huge'>;
  endlessStatus?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

const KEY = new TextEncoder().encode('fake-as-signing-key-0123456789abcdef');

export class FakeAuthServer {
  readonly requests: LoggedRequest[] = [];
  readonly registrations: Record<string, unknown>[] = [];
  readonly revoked: string[] = [];
  config: FakeAsConfig;
  private server: Server | undefined;
  private port = 0;
  private codes = new Map<
    string,
    { challenge: string; scope: string; clientId: string; resource?: string; jkt?: string }
  >();
  private refreshTokens = new Map<string, { scope: string; clientId: string }>();
  private nonce = randomBytes(8).toString('hex');
  tokenCount = 0;
  /** Access tokens the resource server treats as revoked. */
  readonly rejectTokens = new Set<string>();
  mcpCalls = 0;

  constructor(config: FakeAsConfig = {}) {
    this.config = config;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get issuer(): string {
    return this.origin;
  }
  get mcpUrl(): string {
    return `${this.origin}/mcp`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  requestsTo(path: string): LoggedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Requests that carried any of `values` anywhere: query, body or a header (Basic credentials decoded). */
  requestsCarrying(values: readonly string[]): LoggedRequest[] {
    const wanted = values.filter(Boolean);
    return this.requests.filter((r) => {
      const headers = Object.values(r.headers)
        .flat()
        .filter((h): h is string => typeof h === 'string');
      const basic = headers
        .filter((h) => h.startsWith('Basic '))
        .map((h) => Buffer.from(h.slice(6), 'base64').toString());
      const seen = [...Object.values(r.query), ...Object.values(r.body).map(String), ...headers, ...basic].join('\n');
      return wanted.some((v) => seen.includes(v));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const raw = await new Promise<string>((resolve) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => resolve(b));
    });
    const body = req.headers['content-type']?.includes('json')
      ? raw
        ? (JSON.parse(raw) as Record<string, string>)
        : {}
      : Object.fromEntries(new URLSearchParams(raw));
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      headers: req.headers,
    });
    const c = this.config;
    const hostile = c.misbehave?.[url.pathname];
    if (hostile) return misbehave(hostile, res, c.endlessStatus ?? 200);
    const json = (status: number, doc: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(doc));
    };
    const prmPath = c.prmPath === undefined ? '/.well-known/oauth-protected-resource/mcp' : c.prmPath;
    if (prmPath !== null && url.pathname === prmPath) {
      return json(200, {
        resource: c.prmResource ?? this.mcpUrl,
        authorization_servers: c.authorizationServers ?? [this.issuer],
        ...(c.prmScopes ? { scopes_supported: c.prmScopes } : {}),
      });
    }
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      if (c.metadataBody !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(c.metadataBody);
        return;
      }
      return json(200, this.metadata());
    }
    switch (url.pathname) {
      case '/authorize':
        return this.authorize(url, res);
      case '/token':
        return this.token(req, body, res, json);
      case '/register': {
        if (c.dcr === false) return json(404, {});
        this.registrations.push(body);
        return json(201, {
          client_id: `dyn-${this.port}-${this.registrations.length}`,
          redirect_uris: body.redirect_uris,
          ...(c.dcrSecret
            ? { client_secret: c.dcrSecret, token_endpoint_auth_method: 'client_secret_basic' }
            : { token_endpoint_auth_method: 'none' }),
        });
      }
      case '/revoke': {
        if (c.revokeFailure) return json(503, { error: 'temporarily_unavailable' });
        if (c.revokeAccessUnsupported && !body.token?.startsWith('rt-'))
          return json(400, { error: 'unsupported_token_type' });
        this.revoked.push(body.token ?? '');
        res.writeHead(200).end();
        return;
      }
      case '/mcp':
        return this.mcp(req, res, json);
      default:
        return json(404, { error: 'not_found' });
    }
  }

  metadata(): Record<string, unknown> {
    const c = this.config;
    const o = this.origin;
    return {
      issuer: c.metadataIssuer ?? this.issuer,
      authorization_endpoint: c.authorizationEndpoint ?? `${o}/authorize`,
      token_endpoint: `${o}/token`,
      registration_endpoint: `${o}/register`,
      revocation_endpoint: `${o}/revoke`,
      response_types_supported: ['code'],
      ...(c.codeChallengeMethods === null
        ? {}
        : { code_challenge_methods_supported: c.codeChallengeMethods ?? ['S256'] }),
      ...(c.issSupported === null || c.issSupported === undefined
        ? {}
        : { authorization_response_iss_parameter_supported: c.issSupported }),
      ...(c.asScopes ? { scopes_supported: c.asScopes } : {}),
      ...(c.cimd ? { client_id_metadata_document_supported: true } : {}),
      ...(c.dpopAlgs ? { dpop_signing_alg_values_supported: c.dpopAlgs } : {}),
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'private_key_jwt'],
    };
  }

  private authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const redirect = new URL(q.get('redirect_uri') ?? 'http://127.0.0.1/');
    const c = this.config;
    if (c.authorizeError) {
      redirect.searchParams.set('error', c.authorizeError.error);
      redirect.searchParams.set('error_description', c.authorizeError.description);
    } else {
      const code = randomBytes(12).toString('hex');
      this.codes.set(code, {
        challenge: q.get('code_challenge') ?? '',
        scope: q.get('scope') ?? '',
        clientId: q.get('client_id') ?? '',
        resource: q.get('resource') ?? undefined,
        jkt: q.get('dpop_jkt') ?? undefined,
      });
      redirect.searchParams.set('code', code);
    }
    redirect.searchParams.set('state', q.get('state') ?? '');
    const mode = c.issInRedirect ?? 'correct';
    if (mode === 'correct') redirect.searchParams.set('iss', this.issuer);
    if (mode === 'wrong') redirect.searchParams.set('iss', 'https://evil.example.com');
    if (mode === 'normalized') redirect.searchParams.set('iss', `${this.issuer}/`);
    res.writeHead(302, { location: redirect.href }).end();
  }

  private async token(
    req: IncomingMessage,
    body: Record<string, string>,
    res: ServerResponse,
    json: (s: number, d: unknown, h?: Record<string, string>) => void,
  ): Promise<void> {
    const c = this.config;
    let jkt: string | undefined;
    if (c.dpopAlgs) {
      const proof = req.headers.dpop as string | undefined;
      if (proof) {
        const header = decodeProtectedHeader(proof);
        await jwtVerify(proof, await importJWK(header.jwk as JWK, header.alg));
        if (c.dpopNonce && decodeJwt(proof).nonce !== this.nonce) {
          return json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': this.nonce });
        }
        jkt = await calculateJwkThumbprint(header.jwk as JWK);
      }
    }
    if (c.invalidClient) return json(401, { error: 'invalid_client' });
    let scope: string;
    let clientId: string;
    if (body.grant_type === 'authorization_code') {
      const entry = this.codes.get(body.code ?? '');
      this.codes.delete(body.code ?? '');
      const computed = createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url');
      if (!entry || computed !== entry.challenge) return json(400, { error: 'invalid_grant' });
      scope = entry.scope;
      clientId = entry.clientId;
    } else if (body.grant_type === 'refresh_token') {
      if (c.refreshFailure === 'server_error') return json(503, { error: 'temporarily_unavailable' });
      const entry = this.refreshTokens.get(body.refresh_token ?? '');
      if (!entry || c.refreshFailure === 'invalid_grant')
        return json(400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
      if (c.refreshFailure === 'scope_refused' && body.scope) return json(400, { error: 'invalid_scope' });
      this.refreshTokens.delete(body.refresh_token ?? '');
      scope = body.scope ?? entry.scope;
      clientId = entry.clientId;
    } else if (body.grant_type === 'client_credentials') {
      scope = body.scope ?? '';
      clientId = body.client_id ?? basicUser(req.headers.authorization) ?? 'unknown';
    } else if (body.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      if (!body.assertion || body.assertion === 'bad-assertion') return json(400, { error: 'invalid_grant' });
      scope = body.scope ?? '';
      clientId = body.client_id ?? basicUser(req.headers.authorization) ?? 'unknown';
    } else if (body.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange') {
      const ok =
        body.subject_token === 'id-token-1' &&
        body.subject_token_type === 'urn:ietf:params:oauth:token-type:id_token' &&
        body.requested_token_type === 'urn:ietf:params:oauth:token-type:id-jag' &&
        !!body.audience &&
        !!body.resource;
      if (!ok) return json(400, { error: 'invalid_request' });
      return json(200, {
        access_token: `id-jag-for-${body.audience}`,
        issued_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        token_type: 'N_A',
      });
    } else {
      return json(400, { error: 'unsupported_grant_type' });
    }
    if (c.grantOnly) scope = c.grantOnly.join(' ');
    this.tokenCount++;
    const accessToken = await new SignJWT({
      scope,
      client_id: clientId,
      preferred_username: 'alice',
      ...(jkt ? { cnf: { jkt } } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer(this.issuer)
      .setAudience(body.resource ?? this.mcpUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti(randomBytes(8).toString('hex'))
      .sign(KEY);
    const refreshToken = `rt-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(refreshToken, { scope, clientId });
    json(200, {
      access_token: accessToken,
      token_type: jkt ? 'DPoP' : 'Bearer',
      expires_in: c.expiresIn ?? 3600,
      refresh_token: refreshToken,
      scope,
    });
  }

  private async mcp(
    req: IncomingMessage,
    res: ServerResponse,
    json: (s: number, d: unknown, h?: Record<string, string>) => void,
  ): Promise<void> {
    const c = this.config;
    this.mcpCalls++;
    const rm = `resource_metadata="${this.origin}/.well-known/oauth-protected-resource/mcp"`;
    const challenge = `Bearer ${c.challengeScope ? `scope="${c.challengeScope}", ` : ''}${rm}`;
    const auth = req.headers.authorization ?? '';
    const [scheme, token] = auth.split(' ');
    if (!token) return json(401, { error: 'invalid_token' }, { 'www-authenticate': challenge });
    let claims;
    try {
      if (this.rejectTokens.has(token)) throw new Error('revoked');
      claims = (await jwtVerify(token, KEY)).payload;
    } catch {
      return json(401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer error="invalid_token", ${rm}` });
    }
    if ((claims.cnf as { jkt?: string } | undefined)?.jkt) {
      if (scheme !== 'DPoP' || !req.headers.dpop)
        return json(401, { error: 'invalid_token' }, { 'www-authenticate': 'DPoP error="invalid_token"' });
      if (c.dpopNonce && decodeJwt(req.headers.dpop as string).nonce !== this.nonce) {
        return json(
          401,
          { error: 'use_dpop_nonce' },
          { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': this.nonce },
        );
      }
    }
    const have = String(claims.scope ?? '').split(' ');
    if ((c.unauthorizedScopes ?? []).some((s) => !have.includes(s))) {
      return json(
        401,
        { error: 'invalid_token' },
        {
          'www-authenticate': `Bearer error="invalid_token", scope="${(c.unauthorizedScopes ?? []).join(' ')}", ${rm}`,
        },
      );
    }
    const missing = (c.requiredScopes ?? []).filter((s) => !have.includes(s));
    if (missing.length) {
      return json(
        403,
        { error: 'insufficient_scope' },
        {
          'www-authenticate': `Bearer error="insufficient_scope", scope="${(c.requiredScopes ?? []).join(' ')}", ${rm}`,
        },
      );
    }
    json(200, { ok: true, sub: claims.sub });
  }
}

/** A hostile endpoint: no answer at all, or a body that never ends (until the client hangs up). */
function misbehave(mode: 'silent' | 'endless' | 'huge', res: ServerResponse, status: number): void {
  if (mode === 'silent') return;
  if (mode === 'huge') {
    const body = `{"access_token":"${'a'.repeat(1024 * 1024)}"}`;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.write('{"access_token":"');
  const chunk = 'a'.repeat(64 * 1024);
  const pump = (): void => {
    if (res.destroyed || res.writableEnded) return;
    if (res.write(chunk)) setImmediate(pump);
    else res.once('drain', pump);
  };
  res.on('close', () => res.destroy());
  pump();
}

function basicUser(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  return decodeURIComponent(Buffer.from(header.slice(6), 'base64').toString().split(':')[0] ?? '');
}

/** A headless opener: fetches the authorization URL and delivers its redirect to the loopback listener. */
export function headlessOpener(log: URL[] = []): { open(url: URL): Promise<void>; log: URL[] } {
  return {
    log,
    async open(url: URL): Promise<void> {
      log.push(url);
      const res = await fetch(url, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (!location) throw new Error(`no redirect from authorize (${res.status})`);
      await (await fetch(location, { redirect: 'manual' })).text();
    },
  };
}
