/**
 * Pins a pre-registered client to one authorization server.
 *
 * MCP 2025-11-25 §Client Registration Approaches: pre-registered credentials belong to one specific
 * authorization server, and SEP-2352 forbids reusing client credentials with another AS. The resource's
 * metadata (RFC 9728 `authorization_servers`) is controlled by the resource, so it cannot be trusted to
 * name the right AS for a client secret: after a migration or a compromise of the resource it could send
 * the secret anywhere. The expected issuer is the explicit `oauth.issuer`, else the issuer recorded at
 * the first successful sign-in with that client (trust on first use); any other issuer is refused
 * before a credential is sent (`client_issuer_mismatch`).
 */
import { McpSecureError } from '../errors';
import type { SecretStore } from '../ports';
import { canonicalUrl } from './grantBinding';
import type { OAuthServer } from './types';

interface PinRecord {
  clientId: string;
  serverUrl: string;
  issuer: string;
}

/** SecretStore key of a server's client-issuer pin. */
export function clientPinKey(serverId: string): string {
  return `mcpSecure.oauth.clientIssuer.${encodeURIComponent(serverId)}`;
}

/** The issuer the server's pre-registered client may be used with, if one is known (explicit or pinned). */
export async function pinnedIssuer(secrets: SecretStore, server: OAuthServer): Promise<string | undefined> {
  const options = server.options ?? {};
  if (!options.clientId) return undefined;
  if (options.issuer) return options.issuer;
  const pin = await loadPin(secrets, server.id);
  return pin && pin.clientId === options.clientId && pin.serverUrl === canonicalUrl(server.url)
    ? pin.issuer
    : undefined;
}

/** The issuer to use among the resource's `authorization_servers`: the pinned one when listed, else refuse. */
export function chooseIssuer(
  server: OAuthServer,
  listed: readonly string[],
  pinned: string | undefined,
): string | undefined {
  if (pinned === undefined) return listed[0];
  if (listed.includes(pinned)) return pinned;
  throw mismatch(server, pinned);
}

/** Refuse to present the pre-registered client to `issuer` unless it is the pinned one. */
export function assertPinnedIssuer(server: OAuthServer, issuer: string, pinned: string | undefined): void {
  if (pinned !== undefined && issuer !== pinned) throw mismatch(server, pinned);
}

/** Record the issuer of the first successful sign-in of a pre-registered client (no-op when already known). */
export async function recordPin(secrets: SecretStore, server: OAuthServer, issuer: string): Promise<void> {
  const options = server.options ?? {};
  const serverUrl = canonicalUrl(server.url);
  if (!options.clientId || options.issuer || serverUrl === undefined) return;
  if ((await pinnedIssuer(secrets, server)) !== undefined) return;
  const record: PinRecord = { clientId: options.clientId, serverUrl, issuer };
  try {
    await secrets.store(clientPinKey(server.id), JSON.stringify(record));
  } catch (cause) {
    throw new McpSecureError(
      'secret_store_failed',
      'Could not save the authorization server of the configured client.',
      { cause },
    );
  }
}

async function loadPin(secrets: SecretStore, serverId: string): Promise<PinRecord | undefined> {
  let raw: string | undefined;
  try {
    raw = await secrets.get(clientPinKey(serverId));
  } catch (cause) {
    throw new McpSecureError(
      'secret_store_failed',
      'Could not read the authorization server of the configured client.',
      { cause },
    );
  }
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<PinRecord>;
    return typeof p.clientId === 'string' && typeof p.serverUrl === 'string' && typeof p.issuer === 'string'
      ? (p as PinRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

function mismatch(server: OAuthServer, pinned: string): McpSecureError {
  return new McpSecureError(
    'client_issuer_mismatch',
    `The configured OAuth client of "${server.id}" belongs to the authorization server ${pinned}, but the server now names another one; ` +
      'its credentials were not sent. If the server really moved, set "oauth.issuer" to the new issuer (and its client id and secret).',
  );
}
