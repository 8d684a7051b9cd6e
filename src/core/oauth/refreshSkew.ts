import type { StoredGrant } from './types';

/**
 * How long before expiry to refresh: the configured skew, but at most a quarter of the token's
 * lifetime, so a token living 60 s or less is not refreshed before every request.
 */
export function refreshSkewFor(grant: StoredGrant, configuredMs: number): number {
  if (grant.expiresAt === undefined || grant.issuedAt === undefined) return configuredMs;
  const lifetime = grant.expiresAt - grant.issuedAt;
  return lifetime > 0 ? Math.min(configuredMs, Math.floor(lifetime / 4)) : configuredMs;
}
