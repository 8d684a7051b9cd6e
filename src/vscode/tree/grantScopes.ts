import type { GrantView } from '../engineContract';

/** RFC 6749 §1.5 / OpenID Connect Core §11: a request for a refresh token, not a resource permission. */
export const OFFLINE_ACCESS = 'offline_access';

export interface ScopeStatus {
  readonly granted: readonly string[];
  /** Requested but not granted. */
  readonly missing: readonly string[];
}

/**
 * Granted vs. requested scopes as the user should see them. `offline_access` is addressed to the
 * authorization server (it asks for a refresh token) and is never carried in a resource-bound access
 * token's `scope` claim (RFC 9068 §2.2.3), so it counts as granted exactly when the grant holds a
 * refresh token, and as not granted otherwise.
 */
export function scopeStatus(
  grant: Pick<GrantView, 'grantedScopes' | 'requestedScopes' | 'hasRefreshToken'>,
): ScopeStatus {
  const granted = grant.grantedScopes.filter((s) => s !== OFFLINE_ACCESS);
  if (grant.hasRefreshToken === true && grant.requestedScopes.includes(OFFLINE_ACCESS)) granted.push(OFFLINE_ACCESS);
  const missing = grant.requestedScopes.filter((s) => !granted.includes(s));
  return { granted, missing };
}
