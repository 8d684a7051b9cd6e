/**
 * What the engine learnt about each OAuth server during this run, kept out of the token store on
 * purpose: its discovered authorization-server context (RFC 9728 PRM + RFC 8414 metadata + the
 * client, as openid-client's `Configuration`) and the DPoP key (RFC 9449) of its grant. An entry is
 * handed out only while it still fits: a context only for the server's current URL (and, for a
 * grant, the grant's own issuer and client), a DPoP key only for the grant's own public key.
 */
import type { AuthContext } from './authContext';
import type { DpopKey } from './dpop';
import { canonicalUrl } from './grantBinding';
import type { OAuthServer, StoredGrant } from './types';

export class ServerSessionCache {
  private readonly contexts = new Map<string, AuthContext>();
  private readonly dpopKeys = new Map<string, DpopKey>();

  /** The context learnt for this definition of the server (a context of an earlier URL is not reused). */
  context(server: OAuthServer): AuthContext | undefined {
    const cached = this.contexts.get(server.id);
    return cached && cached.serverUrl.href === canonicalUrl(server.url) ? cached : undefined;
  }

  /** The context for `grant` of `server`: only one of the grant's own issuer and client. */
  contextForGrant(server: OAuthServer, grant: StoredGrant): AuthContext | undefined {
    const cached = this.context(server);
    return cached && cached.metadata.issuer === grant.issuer && cached.client.clientId === grant.clientId
      ? cached
      : undefined;
  }

  rememberContext(serverId: string, context: AuthContext): void {
    this.contexts.set(serverId, context);
  }

  /** The DPoP key of `grant`, if the one held is that grant's key. */
  dpopKey(grant: StoredGrant): DpopKey | undefined {
    const cached = this.dpopKeys.get(grant.serverId);
    const jwk = grant.dpopJwk?.publicKey;
    return cached && jwk && cached.jwk.publicKey.x === jwk.x && cached.jwk.publicKey.n === jwk.n ? cached : undefined;
  }

  rememberDpopKey(serverId: string, key: DpopKey): void {
    this.dpopKeys.set(serverId, key);
  }

  /** Forget the server's context only (the next sign-in discovers again). */
  forgetContext(serverId: string): void {
    this.contexts.delete(serverId);
  }

  forget(serverId: string): void {
    this.contexts.delete(serverId);
    this.dpopKeys.delete(serverId);
  }
}
