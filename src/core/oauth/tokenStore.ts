/**
 * Persisted grants: one JSON record per server in the SecretStore (`mcpSecure.oauth.grant.<id>`).
 * Writes surface failures (`secret_store_failed`); a corrupt record reads as "no grant".
 */
import type * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { SecretStore } from '../ports';
import type { AuthContext } from './authContext';
import { tokenFacts } from './claims';
import type { DpopKey } from './dpop';
import type { Scopes } from './scopes';
import type { GrantSummary, OAuthServer, StoredGrant } from './types';

/** SecretStore key of a server's grant. */
export function grantStoreKey(serverId: string): string {
  return `mcpSecure.oauth.grant.${encodeURIComponent(serverId)}`;
}

/**
 * Grant persistence over the SecretStore port (tokens never leave secret storage).
 *
 * Reads are cached per server when the store reports changes (`onDidChange`, which in the editor also
 * fires for other windows' writes): every MCP request asks for the grant, and in VS Code each
 * `SecretStorage.get` is an IPC round trip to the main process. A change event for the grant's key
 * drops the entry, and a read that overlapped a change is not cached (a generation counter), so a
 * refresh made by another window is seen on the next request. Without change events nothing is cached.
 */
export class TokenStore {
  private readonly cache = new Map<string, StoredGrant | undefined>();
  private generation = 0;
  private readonly subscription: { dispose(): void } | undefined;

  constructor(private readonly secrets: SecretStore) {
    this.subscription = secrets.onDidChange?.((key) => {
      const id = TokenStore.serverIdOf(key);
      if (id === undefined) return;
      this.generation++;
      this.cache.delete(id);
    });
  }

  /** The stored grant (cached; see the class comment). `fresh` reads secret storage regardless. */
  async load(serverId: string, fresh = false): Promise<StoredGrant | undefined> {
    if (!fresh && this.cache.has(serverId)) return this.cache.get(serverId);
    const generation = this.generation;
    const grant = await this.read(serverId);
    if (this.subscription && generation === this.generation) this.cache.set(serverId, grant);
    return grant;
  }

  private async read(serverId: string): Promise<StoredGrant | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.secrets.get(grantStoreKey(serverId));
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', 'Could not read the stored sign-in.', { cause });
    }
    if (!raw) return undefined;
    try {
      const g = JSON.parse(raw) as StoredGrant;
      return g.version === 1 && g.serverId === serverId && typeof g.accessToken === 'string' ? g : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops listening for changes (engine dispose). */
  dispose(): void {
    this.subscription?.dispose();
    this.cache.clear();
  }

  async save(grant: StoredGrant): Promise<void> {
    this.invalidate(grant.serverId);
    try {
      await this.secrets.store(grantStoreKey(grant.serverId), JSON.stringify(grant));
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', 'Could not save the sign-in to secret storage.', { cause });
    } finally {
      this.invalidate(grant.serverId);
    }
  }

  async delete(serverId: string): Promise<void> {
    this.invalidate(serverId);
    try {
      await this.secrets.delete(grantStoreKey(serverId));
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', 'Could not delete the stored sign-in.', { cause });
    } finally {
      this.invalidate(serverId);
    }
  }

  /** Our own write: read it back next time (also when a write fails half-way, or the store never reports it). */
  private invalidate(serverId: string): void {
    this.generation++;
    this.cache.delete(serverId);
  }

  /**
   * The grant another writer (window) stored with a refresh token other than `usedRefreshToken`,
   * waiting up to `settleMs` for that write to land when the store reports changes.
   */
  async rotatedElsewhere(
    serverId: string,
    usedRefreshToken: string | undefined,
    settleMs: number,
  ): Promise<StoredGrant | undefined> {
    const check = async (): Promise<StoredGrant | undefined> => {
      const latest = await this.load(serverId, true);
      return latest && latest.refreshToken !== usedRefreshToken ? latest : undefined;
    };
    const now = await check();
    if (now || !this.secrets.onDidChange) return now;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, settleMs);
      const sub = this.secrets.onDidChange?.((key) => {
        if (TokenStore.serverIdOf(key) === serverId) done();
      });
      function done(): void {
        clearTimeout(timer);
        sub?.dispose();
        resolve();
      }
    });
    return check();
  }

  /** The server id a SecretStore key belongs to, if it is a grant key. */
  static serverIdOf(key: string): string | undefined {
    const prefix = grantStoreKey('');
    return key.startsWith(prefix) ? decodeURIComponent(key.slice(prefix.length)) : undefined;
  }
}

/** The public view of a grant — never token values. */
export function summarize(g: StoredGrant): GrantSummary {
  return {
    serverId: g.serverId,
    issuer: g.issuer,
    resource: g.resource,
    clientId: g.clientId,
    clientKind: g.clientKind,
    subject: g.subject,
    displayName: g.displayName,
    grantedScopes: [...g.grantedScopes],
    requestedScopes: [...g.requestedScopes],
    expiresAt: g.expiresAt,
    tokenType: g.tokenType,
    hasRefreshToken: !!g.refreshToken,
    grant: g.grant,
  };
}

/** What a token response becomes once stored: bound to the server URL, issuer and client it was issued for. */
export interface GrantSource {
  server: OAuthServer;
  ctx: AuthContext;
  response: oidc.TokenEndpointResponse;
  requested: Scopes;
  kind: StoredGrant['grant'];
  dpop?: DpopKey;
  now: number;
}

/** The stored grant for a token response (OAuth 2.1 §4.1.3 / RFC 9449 §5 `token_type`). */
export function grantFromResponse({ server, ctx, response, requested, kind, dpop, now }: GrantSource): StoredGrant {
  const facts = tokenFacts(response, requested, now);
  const tokenType = response.token_type?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  return {
    version: 1,
    serverId: server.id,
    serverUrl: server.url,
    issuer: ctx.metadata.issuer,
    resource: ctx.resource,
    legacyDiscovery: ctx.legacy,
    clientId: ctx.client.clientId,
    clientKind: ctx.client.kind,
    grant: kind,
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    tokenType,
    expiresAt: facts.expiresAt,
    issuedAt: now,
    grantedScopes: facts.grantedScopes.toArray(),
    requestedScopes: requested.toArray(),
    subject: facts.subject,
    displayName: facts.displayName,
    dpopJwk: tokenType === 'DPoP' ? dpop?.jwk : undefined,
  };
}
