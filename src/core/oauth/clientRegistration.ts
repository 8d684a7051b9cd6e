/**
 * Client registration in MCP 2025-11-25 §Client Registration Approaches priority order:
 * pre-registered → Client ID Metadata Document (CIMD) → RFC 7591 dynamic registration.
 * Dynamically registered credentials are stored in the SecretStore keyed by issuer and are never
 * presented to another authorization server (SEP-2352).
 */
import { McpSecureError, isMcpSecureError } from '../errors';
import type { Logger, SecretStore } from '../ports';
import type { AuthServerMetadata } from './authServerMetadata';
import { CONFIGURE_CLIENT_HINT, LOOPBACK_REDIRECT_URI } from './clientRecovery';
import type { FetchLike } from './httpJson';
import { isClientMetadataDocumentUrl } from '../common/urlPolicy';
import type { OAuthServerOptions, TokenEndpointAuthMethod } from './types';

export interface RegisteredClient {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  kind: 'preregistered' | 'cimd' | 'dynamic';
  /** Set on a dynamic registration loaded from the store (not registered by this call; never persisted). */
  reused?: true;
}

/** SecretStore key of the dynamically registered client for an issuer. */
export function clientStoreKey(issuer: string): string {
  return `mcpSecure.oauth.client.${encodeURIComponent(issuer)}`;
}

export interface ObtainClientInput {
  metadata: AuthServerMetadata;
  options: OAuthServerOptions;
  secrets: SecretStore;
  /** Bounded in size and time and checked against the server's URL policy (see `boundedFetch`). */
  fetch: FetchLike;
  logger: Logger;
  redirectUri?: string;
  clientName?: string;
  clientMetadataUrl?: string;
  signal?: AbortSignal;
}

/** Choose how a pre-registered client authenticates (RFC 7591 §2 names). */
function preregisteredAuthMethod(options: OAuthServerOptions, metadata: AuthServerMetadata): TokenEndpointAuthMethod {
  if (options.tokenEndpointAuthMethod) return options.tokenEndpointAuthMethod;
  if (options.privateKeyPem) return 'private_key_jwt';
  if (!options.clientSecret) return 'none';
  const supported = metadata.token_endpoint_auth_methods_supported;
  if (supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post'))
    return 'client_secret_post';
  return 'client_secret_basic';
}

/** Obtain client credentials for this AS, registering dynamically when needed. */
export async function obtainClient(input: ObtainClientInput): Promise<RegisteredClient> {
  const { metadata, options } = input;
  const issuer = metadata.issuer;
  if (options.clientId) {
    return {
      issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenEndpointAuthMethod: preregisteredAuthMethod(options, metadata),
      kind: 'preregistered',
    };
  }
  if (metadata.client_id_metadata_document_supported === true && isClientMetadataDocumentUrl(input.clientMetadataUrl)) {
    return { issuer, clientId: input.clientMetadataUrl, tokenEndpointAuthMethod: 'none', kind: 'cimd' };
  }
  const stored = await loadStoredClient(input.secrets, issuer);
  if (stored) return stored;
  const client = await registerDynamically(input);
  await input.secrets.store(clientStoreKey(issuer), JSON.stringify(client));
  return client;
}

async function loadStoredClient(secrets: SecretStore, issuer: string): Promise<RegisteredClient | undefined> {
  const raw = await secrets.get(clientStoreKey(issuer));
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as RegisteredClient;
    // Defence in depth: a record is only ever used with the issuer it was registered at.
    return parsed.issuer === issuer && typeof parsed.clientId === 'string' ? { ...parsed, reused: true } : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7591 §3.1 registration of a native public client with a loopback redirect (RFC 8252 §7.3). */
async function registerDynamically(input: ObtainClientInput): Promise<RegisteredClient> {
  const endpoint = input.metadata.registration_endpoint;
  if (!endpoint) {
    throw new McpSecureError(
      'registration_failed',
      `The authorization server ${input.metadata.issuer} offers no dynamic client registration and no client id is configured: ` +
        `register a client there (a public native client with redirect URI ${LOOPBACK_REDIRECT_URI}, any port) and ${CONFIGURE_CLIENT_HINT}.`,
    );
  }
  const body = {
    client_name: input.clientName ?? 'MCP Secure Connections',
    redirect_uris: input.redirectUri ? [input.redirectUri] : [],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
  };
  let response: Response;
  try {
    response = await input.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: input.signal,
    });
  } catch (cause) {
    if (isMcpSecureError(cause)) throw cause;
    throw new McpSecureError('registration_failed', 'Could not reach the registration endpoint.', { cause });
  }
  const text = await response.text();
  if (response.status !== 201 && response.status !== 200) {
    throw new McpSecureError(
      'registration_failed',
      `Dynamic client registration was refused (HTTP ${response.status}).`,
    );
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new McpSecureError('registration_failed', 'The registration response is not JSON.', { cause });
  }
  if (typeof doc.client_id !== 'string' || !doc.client_id) {
    throw new McpSecureError('registration_failed', 'The registration response has no client_id.');
  }
  const secret = typeof doc.client_secret === 'string' && doc.client_secret ? doc.client_secret : undefined;
  const method = registeredAuthMethod(doc.token_endpoint_auth_method, secret, input.metadata);
  input.logger.info(`registered client at ${input.metadata.issuer} (auth: ${method})`);
  return {
    issuer: input.metadata.issuer,
    clientId: doc.client_id,
    clientSecret: secret,
    tokenEndpointAuthMethod: method,
    kind: 'dynamic',
  };
}

function registeredAuthMethod(
  returned: unknown,
  secret: string | undefined,
  metadata: AuthServerMetadata,
): TokenEndpointAuthMethod {
  if (returned === 'client_secret_basic' || returned === 'client_secret_post' || returned === 'none') {
    return returned === 'none' || secret ? returned : 'none';
  }
  if (!secret) return 'none';
  const supported = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'none';
}

/** Forget the stored dynamic client of an issuer (e.g. after `invalid_client`). */
export async function forgetClient(secrets: SecretStore, issuer: string): Promise<void> {
  await secrets.delete(clientStoreKey(issuer));
}

/** Forget the stored dynamic clients of these issuers; returns the issuers that had one. */
export async function forgetClients(secrets: SecretStore, issuers: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const issuer of issuers) {
    if (!(await secrets.get(clientStoreKey(issuer)))) continue;
    await forgetClient(secrets, issuer);
    removed.push(issuer);
  }
  return removed;
}
