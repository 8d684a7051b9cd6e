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

/** Grant persistence over the SecretStore port (tokens never leave secret storage). */
export class TokenStore {
  constructor(private readonly secrets: SecretStore) {}

  async load(serverId: string): Promise<StoredGrant | undefined> {
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

  async save(grant: StoredGrant): Promise<void> {
    try {
      await this.secrets.store(grantStoreKey(grant.serverId), JSON.stringify(grant));
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', 'Could not save the sign-in to secret storage.', { cause });
    }
  }

  async delete(serverId: string): Promise<void> {
    try {
      await this.secrets.delete(grantStoreKey(serverId));
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', 'Could not delete the stored sign-in.', { cause });
    }
  }

  /**
   * The grant another writer (window) stored with a refresh token other than `usedRefreshToken`,
   * waiting up to `settleMs` for that write to land when the store reports changes.
   */
  async rotatedElsewhere(serverId: string, usedRefreshToken: string | undefined, settleMs: number): Promise<StoredGrant | undefined> {
    const check = async (): Promise<StoredGrant | undefined> => {
      const latest = await this.load(serverId);
      return latest && latest.refreshToken !== usedRefreshToken ? latest : undefined;
    };
    const now = await check();
    if (now || !this.secrets.onDidChange) return now;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, settleMs);
      const sub = this.secrets.onDidChange?.((key) => { if (TokenStore.serverIdOf(key) === serverId) done(); });
      function done(): void { clearTimeout(timer); sub?.dispose(); resolve(); }
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
    serverId: g.serverId, issuer: g.issuer, resource: g.resource, clientId: g.clientId, clientKind: g.clientKind,
    subject: g.subject, displayName: g.displayName, grantedScopes: [...g.grantedScopes], requestedScopes: [...g.requestedScopes],
    expiresAt: g.expiresAt, tokenType: g.tokenType, hasRefreshToken: !!g.refreshToken, grant: g.grant,
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
    version: 1, serverId: server.id, serverUrl: server.url, issuer: ctx.metadata.issuer, resource: ctx.resource,
    legacyDiscovery: ctx.legacy, clientId: ctx.client.clientId, clientKind: ctx.client.kind, grant: kind,
    accessToken: response.access_token, refreshToken: response.refresh_token, tokenType,
    expiresAt: facts.expiresAt, issuedAt: now, grantedScopes: facts.grantedScopes.toArray(), requestedScopes: requested.toArray(),
    subject: facts.subject, displayName: facts.displayName, dpopJwk: tokenType === 'DPoP' ? dpop?.jwk : undefined,
  };
}
