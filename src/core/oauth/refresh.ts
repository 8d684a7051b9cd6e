/**
 * Refresh (OAuth 2.1 §4.3) with `scope` and RFC 8707 `resource` repeated explicitly, safe with rotating
 * refresh tokens (the new refresh token replaces the old one; an omitted one keeps the old).
 * Network errors and 5xx keep the grant (`refresh_failed_transient`); an OAuth error such as
 * `invalid_grant` means the grant is dead (`refresh_failed_permanent`, the caller drops it).
 */
import * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { AuthContext } from './authContext';
import { tokenFacts } from './claims';
import { Scopes } from './scopes';
import { boundedFetchError, isTransient, oauthErrorCode } from './tokenErrors';
import type { StoredGrant } from './types';
export { refreshSkewFor } from './refreshSkew';

/** Refresh `grant` at its own AS with its own client; returns the next grant (not yet stored). */
export async function refreshStoredGrant(
  ctx: AuthContext,
  grant: StoredGrant,
  resourceParams: Record<string, string>,
  now: () => number,
  dpop?: oidc.DPoPHandle,
): Promise<StoredGrant> {
  if (!grant.refreshToken) throw new McpSecureError('refresh_failed_permanent', 'The sign-in has no refresh token.');
  const scope = refreshScope(grant);
  const params: Record<string, string> = { ...resourceParams };
  if (!scope.isEmpty) params.scope = scope.toString();
  let response: oidc.TokenEndpointResponse;
  try {
    response = await oidc
      .refreshTokenGrant(ctx.config, grant.refreshToken, params, dpop ? { DPoP: dpop } : undefined)
      .catch((err: unknown) => {
        // RFC 6749 §6: an AS that granted less than we asked may refuse the explicit scope; omitting it
        // means "the scope originally granted", so retry once without it.
        if (oauthErrorCode(err) !== 'invalid_scope' || params.scope === undefined || !grant.refreshToken) throw err;
        const { scope: _omitted, ...rest } = params;
        return oidc.refreshTokenGrant(ctx.config, grant.refreshToken, rest, dpop ? { DPoP: dpop } : undefined);
      });
  } catch (err) {
    // A silent or oversized answer is the server's malfunction, not a verdict on the grant: keep it.
    const bounded = boundedFetchError(err);
    if (bounded && bounded.code !== 'insecure_url' && bounded.code !== 'invalid_url') {
      throw new McpSecureError(
        'refresh_failed_transient',
        `Refreshing the token failed temporarily (${bounded.message}); the sign-in is kept.`,
        { cause: bounded },
      );
    }
    if (bounded) throw bounded;
    const oauth = oauthErrorCode(err)
      ?.replace(/[^\w.-]/g, '')
      .slice(0, 64);
    if (isTransient(err)) {
      throw new McpSecureError(
        'refresh_failed_transient',
        'Refreshing the token failed temporarily; the sign-in is kept.',
      );
    }
    // The cause carries only the OAuth error code (never the body), so the engine can tell invalid_client apart.
    throw new McpSecureError(
      'refresh_failed_permanent',
      `The authorization server refused the refresh${oauth ? ` (${oauth})` : ''}; sign in again.`,
      { cause: Object.assign(new Error('OAuthError'), { error: oauth }) },
    );
  }
  const facts = tokenFacts(response, Scopes.of(grant.grantedScopes), now());
  return {
    ...grant,
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? grant.refreshToken,
    tokenType: response.token_type?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer',
    expiresAt: facts.expiresAt,
    issuedAt: now(),
    grantedScopes: facts.grantedScopes.toArray(),
    subject: facts.subject ?? grant.subject,
    displayName: facts.displayName ?? grant.displayName,
  };
}

/**
 * The scope to ask for on refresh: what was granted, not what was requested (RFC 6749 §6: the scope
 * "MUST NOT include any scope not originally granted"; asking for more costs an `invalid_scope` round
 * trip at strict servers), plus `offline_access` when it was asked for and a refresh token proves it was
 * granted (access tokens never list it). Empty (the parameter omitted: "equal to the scope originally
 * granted") when the grant names no scopes.
 */
export function refreshScope(grant: StoredGrant): Scopes {
  const granted = Scopes.of(grant.grantedScopes);
  if (granted.isEmpty) return granted;
  return grant.refreshToken && grant.requestedScopes.includes('offline_access')
    ? granted.with('offline_access')
    : granted;
}
