import { canonicalUrl } from '../core/oauth/grantBinding';
import { launchSpecKey } from '../core/mcp/launchSpec';
import type { HttpServerDefinition, ServerDefinition, StdioServerDefinition } from '../core/mcp/serverDefinition';
import { generateSharedSecret, secretFingerprint } from '../core/mcp/stdioSecret';
import type { SecretStore } from '../core/ports';
import { SecretKeys } from './constants';
import type { OAuthServerRef } from './engineContract';

/** A stdio secret with the launch it was created for (`launchSpecKey`). */
interface StdioSecretRecord {
  readonly secret: string;
  readonly launch: string;
}

/** A static client secret with the server URL and client id it was entered for. */
interface ClientSecretRecord {
  readonly secret: string;
  readonly url: string;
  readonly clientId: string;
}

/** Secret header / environment values with the definition they were stored for (`definitionBinding`). */
interface DefinitionSecretsRecord {
  readonly binding: string;
  readonly values: Record<string, string>;
}

/**
 * What definition secrets are bound to: a stdio server's exact launch spec, an HTTP server's URL.
 * A definition pointed elsewhere never receives the values stored for the old one.
 */
function definitionBinding(def: ServerDefinition): string {
  return def.transport === 'stdio' ? `stdio:${launchSpecKey(def)}` : `http:${canonicalUrl(def.url) ?? def.url}`;
}

/**
 * Per-server secrets the extension layer owns: stdio shared secrets and static OAuth client secrets.
 * Both live only in SecretStorage; a failed write throws (the adapter turns it into
 * `secret_store_failed`) so the caller can tell the user nothing was saved.
 *
 * Each secret is bound to what it was created for: a stdio secret to the exact launch spec, a client
 * secret to the server URL and client id. When the definition behind an id changes (edited, or a
 * trusted workspace defines the same id), the old secret is never handed to the new definition: a
 * stdio server gets a fresh secret (replacing the old one), an HTTP server gets no client secret.
 */
export class ServerSecrets {
  constructor(private readonly store: SecretStore) {}

  /** The stdio server's shared secret for this exact launch, created (CSPRNG, 256 bits) on first use. */
  async stdioSecret(def: StdioServerDefinition): Promise<string> {
    const existing = await this.boundStdioSecret(def);
    if (existing) return existing;
    return this.storeStdioSecret(def, generateSharedSecret());
  }

  /** Replace the shared secret; returns the new fingerprint (never the secret). */
  async rotateStdioSecret(def: StdioServerDefinition): Promise<string> {
    return secretFingerprint(await this.storeStdioSecret(def, generateSharedSecret()));
  }

  /** Fingerprint of the secret this exact launch would get (none when the definition changed since). */
  async stdioFingerprint(def: StdioServerDefinition): Promise<string | undefined> {
    const secret = await this.boundStdioSecret(def);
    return secret ? secretFingerprint(secret) : undefined;
  }

  /** Store the static client secret of `def`'s pre-registered client, bound to its URL and client id. */
  async setClientSecret(def: Pick<HttpServerDefinition, 'id' | 'url' | 'oauth'>, secret: string): Promise<void> {
    const clientId = def.oauth?.clientId;
    const url = canonicalUrl(def.url);
    if (!clientId || url === undefined) return;
    const record: ClientSecretRecord = { secret, url, clientId };
    await this.store.store(SecretKeys.clientSecret(def.id), JSON.stringify(record));
  }

  /** The engine's view of an HTTP server, with its client secret (if any, and still bound to it) from secret storage. */
  async oauthServerFor(def: HttpServerDefinition): Promise<OAuthServerRef> {
    const clientSecret = await this.boundClientSecret(def);
    // DPoP stays opt-in per server (`oauth.dpop`): the engine's default is Bearer.
    const options = { ...def.oauth, ...(clientSecret ? { clientSecret } : {}) };
    return { id: def.id, url: def.url, options };
  }

  /** Store the values of `def`'s `secretEnv` / `secretHeaders` (only the names the definition lists). */
  async setDefinitionSecrets(def: ServerDefinition, values: Readonly<Record<string, string>>): Promise<void> {
    const names = (def.transport === 'stdio' ? def.secretEnv : def.secretHeaders) ?? [];
    const kept = Object.fromEntries(names.flatMap((n) => (values[n] === undefined ? [] : [[n, values[n]]])));
    const record: DefinitionSecretsRecord = { binding: definitionBinding(def), values: kept };
    await this.store.store(SecretKeys.definitionSecrets(def.id), JSON.stringify(record));
  }

  /** The stored values for `def`, or none when the definition changed since they were stored. */
  async definitionSecrets(def: ServerDefinition): Promise<Readonly<Record<string, string>>> {
    const raw = await this.store.get(SecretKeys.definitionSecrets(def.id));
    const record = parseRecord<DefinitionSecretsRecord>(raw, ['binding']);
    if (!record || record.binding !== definitionBinding(def) || typeof record.values !== 'object' || !record.values)
      return {};
    return Object.fromEntries(Object.entries(record.values).filter(([, v]) => typeof v === 'string'));
  }

  /** Forget everything stored for a removed server. */
  async forget(serverId: string): Promise<void> {
    await this.store.delete(SecretKeys.definitionSecrets(serverId));
    await this.store.delete(SecretKeys.stdioSecret(serverId));
    await this.store.delete(SecretKeys.clientSecret(serverId));
  }

  private async boundStdioSecret(def: StdioServerDefinition): Promise<string | undefined> {
    const record = parseRecord<StdioSecretRecord>(await this.store.get(SecretKeys.stdioSecret(def.id)), [
      'secret',
      'launch',
    ]);
    return record?.launch === launchSpecKey(def) ? record.secret : undefined;
  }

  private async storeStdioSecret(def: StdioServerDefinition, secret: string): Promise<string> {
    const record: StdioSecretRecord = { secret, launch: launchSpecKey(def) };
    await this.store.store(SecretKeys.stdioSecret(def.id), JSON.stringify(record));
    return secret;
  }

  private async boundClientSecret(def: HttpServerDefinition): Promise<string | undefined> {
    const clientId = def.oauth?.clientId;
    if (!clientId) return undefined;
    const record = parseRecord<ClientSecretRecord>(await this.store.get(SecretKeys.clientSecret(def.id)), [
      'secret',
      'url',
      'clientId',
    ]);
    return record && record.url === canonicalUrl(def.url) && record.clientId === clientId ? record.secret : undefined;
  }
}

/** A JSON record with the given string fields; anything else (including a pre-binding plain value) is no record. */
function parseRecord<T>(raw: string | undefined, fields: readonly (keyof T & string)[]): T | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return parsed && typeof parsed === 'object' && fields.every((f) => typeof parsed[f] === 'string')
      ? (parsed as T)
      : undefined;
  } catch {
    return undefined;
  }
}
