/**
 * What a stored credential was issued for, and whether the server's current definition is still that.
 *
 * A grant is keyed by the server id, but an id is only a name: the user may point it at another URL,
 * or a trusted workspace may define the same id. RFC 8707 §2 binds a token to its resource and RFC 6749
 * §6 binds a refresh token to the client it was issued to, so a grant is only usable for the same
 * server URL, at the same issuer, with the same client. A grant that no longer matches is treated as
 * "no grant": its tokens are never presented to the new definition's server or authorization server.
 */
import type { OAuthServer, StoredGrant } from './types';

/** Canonical forms already computed: every request compares the grant's URL with the definition's. */
const canonicalForms = new Map<string, string | undefined>();
const MAX_CANONICAL_FORMS = 256;

/** The URL in the one form definitions are compared in (WHATWG serialisation, no fragment). */
export function canonicalUrl(value: string): string | undefined {
  if (canonicalForms.has(value)) return canonicalForms.get(value);
  let form: string | undefined;
  try {
    const u = new URL(value);
    u.hash = '';
    form = u.href;
  } catch {
    form = undefined;
  }
  if (canonicalForms.size >= MAX_CANONICAL_FORMS) canonicalForms.clear();
  canonicalForms.set(value, form);
  return form;
}

/** True when `grant` was issued for this definition of the server: same id, URL, client and (if pinned) issuer. */
export function grantMatchesServer(grant: StoredGrant, server: OAuthServer): boolean {
  const options = server.options ?? {};
  const url = canonicalUrl(server.url);
  if (grant.serverId !== server.id || url === undefined || canonicalUrl(grant.serverUrl) !== url) return false;
  if (options.issuer !== undefined && grant.issuer !== options.issuer) return false;
  // A pre-registered client is part of the definition: a grant of another client (or of a dynamic /
  // CIMD client when one is now configured, and vice versa) was not issued to this client.
  if (options.clientId !== undefined)
    return grant.clientKind === 'preregistered' && grant.clientId === options.clientId;
  return grant.clientKind !== 'preregistered';
}
