import type { HttpServerDefinition, StdioServerDefinition } from '../core/mcp/serverDefinition';
import { generateSharedSecret, secretFingerprint } from '../core/mcp/stdioSecret';
import type { SecretStore } from '../core/ports';
import { SecretKeys } from './constants';
import type { OAuthServerRef } from './engineContract';

/**
 * Per-server secrets the extension layer owns: stdio shared secrets and static OAuth client secrets.
 * Both live only in SecretStorage; a failed write throws (the adapter turns it into
 * `secret_store_failed`) so the caller can tell the user nothing was saved.
 */
export class ServerSecrets {
  constructor(private readonly store: SecretStore) {}

  /** The stdio server's shared secret, created (CSPRNG, 256 bits) on first use. */
  async stdioSecret(def: StdioServerDefinition): Promise<string> {
    const key = SecretKeys.stdioSecret(def.id);
    const existing = await this.store.get(key);
    if (existing) return existing;
    const secret = generateSharedSecret();
    await this.store.store(key, secret);
    return secret;
  }

  /** Replace the shared secret; returns the new fingerprint (never the secret). */
  async rotateStdioSecret(def: StdioServerDefinition): Promise<string> {
    const secret = generateSharedSecret();
    await this.store.store(SecretKeys.stdioSecret(def.id), secret);
    return secretFingerprint(secret);
  }

  async stdioFingerprint(serverId: string): Promise<string | undefined> {
    const secret = await this.store.get(SecretKeys.stdioSecret(serverId));
    return secret ? secretFingerprint(secret) : undefined;
  }

  async setClientSecret(serverId: string, secret: string): Promise<void> {
    await this.store.store(SecretKeys.clientSecret(serverId), secret);
  }

  /** The engine's view of an HTTP server, with its client secret (if any) from secret storage. */
  async oauthServerFor(def: HttpServerDefinition): Promise<OAuthServerRef> {
    const clientSecret = def.oauth?.clientId ? await this.store.get(SecretKeys.clientSecret(def.id)) : undefined;
    // DPoP stays opt-in per server (`oauth.dpop`): the engine's default is Bearer.
    const options = { ...def.oauth, ...(clientSecret ? { clientSecret } : {}) };
    return { id: def.id, url: def.url, options };
  }

  /** Forget everything stored for a removed server. */
  async forget(serverId: string): Promise<void> {
    await this.store.delete(SecretKeys.stdioSecret(serverId));
    await this.store.delete(SecretKeys.clientSecret(serverId));
  }
}
