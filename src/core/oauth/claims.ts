/**
 * Display facts about a grant from the access token's claims (RFC 9068 JWT access tokens, decoded
 * with jose — NOT verified: the client is not the audience; the resource server verifies) with the
 * token response as fallback (RFC 6749 §5.1).
 */
import { decodeJwt } from 'jose';
import { Scopes } from './scopes';

export interface TokenFacts {
  subject?: string;
  displayName?: string;
  grantedScopes: Scopes;
  /** Epoch ms. */
  expiresAt?: number;
  audience?: string[];
  clientId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Facts from a token response; `requested` is used when neither the response nor the JWT names scopes. */
export function tokenFacts(
  response: { access_token: string; scope?: string; expires_in?: number },
  requested: Scopes,
  now: number,
): TokenFacts {
  let claims: Record<string, unknown> = {};
  try {
    claims = decodeJwt(response.access_token) as Record<string, unknown>;
  } catch {
    // Opaque token: fall back to the token response only.
  }
  const jwtScope =
    str(claims.scope) ??
    (Array.isArray(claims.scp) ? claims.scp.filter((x) => typeof x === 'string').join(' ') : str(claims.scp));
  // What the token itself carries wins; then the token response; RFC 6749 §5.1: an omitted `scope`
  // means "identical to the scope requested".
  const grantedScopes =
    jwtScope !== undefined ? Scopes.of(jwtScope) : response.scope !== undefined ? Scopes.of(response.scope) : requested;
  const expiresAt =
    typeof response.expires_in === 'number'
      ? now + response.expires_in * 1000
      : typeof claims.exp === 'number'
        ? claims.exp * 1000
        : undefined;
  const aud = claims.aud;
  return {
    subject: str(claims.sub),
    displayName: str(claims.preferred_username) ?? str(claims.email) ?? str(claims.name) ?? str(claims.sub),
    grantedScopes,
    expiresAt,
    audience:
      typeof aud === 'string'
        ? [aud]
        : Array.isArray(aud)
          ? aud.filter((a): a is string => typeof a === 'string')
          : undefined,
    clientId: str(claims.client_id) ?? str(claims.azp),
  };
}
