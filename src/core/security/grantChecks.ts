/**
 * The checks that read the stored grant: the token's audience (RFC 8707), the scopes actually granted
 * and the refresh-token policy observed. The evidence is extracted once from the token's claims and the
 * grant summary; the token itself never leaves {@link grantEvidence}.
 */
import type { AuthServerMetadata } from '../oauth/authServerMetadata';
import { tokenFacts } from '../oauth/claims';
import { Scopes } from '../oauth/scopes';
import { isWithinResource } from '../common/urlPolicy';
import { type Finding, finding, skipped } from './securityReport';

/** What a signed-in grant shows about the server's token policy. Never a token value. */
export interface GrantEvidence {
  readonly resource: string;
  readonly grantedScopes: readonly string[];
  readonly requestedScopes: readonly string[];
  readonly tokenType: string;
  readonly hasRefreshToken: boolean;
  /** Epoch ms. */
  readonly expiresAt?: number;
  /** The JWT `aud` claim; undefined for an opaque token. */
  readonly audience?: readonly string[];
}

/** A grant summary plus the audience decoded (not verified) from the access token, if it is a JWT (RFC 9068 §2.2). */
export function grantEvidence(
  summary: Omit<GrantEvidence, 'audience' | 'hasRefreshToken'> & { hasRefreshToken?: boolean },
  accessToken: string | undefined,
): GrantEvidence {
  const audience = accessToken ? tokenFacts({ access_token: accessToken }, Scopes.empty, 0).audience : undefined;
  return {
    resource: summary.resource,
    grantedScopes: [...summary.grantedScopes],
    requestedScopes: [...summary.requestedScopes],
    tokenType: summary.tokenType,
    hasRefreshToken: summary.hasRefreshToken ?? false,
    expiresAt: summary.expiresAt,
    ...(audience ? { audience } : {}),
  };
}

/** An access token living longer than this is flagged (RFC 9700 §2.2.2 / §4.14: short-lived access tokens). */
export const LONG_LIVED_TOKEN_MS = 24 * 60 * 60 * 1000;

const NOT_SIGNED_IN = 'Not signed in: sign in to check what the server actually grants.';

/** Audience, scopes and refresh policy from the grant; `skip` when not signed in. */
export function grantFindings(
  grant: GrantEvidence | undefined,
  ctx: { metadata?: AuthServerMetadata; resource: string; now: number },
): Finding[] {
  if (!grant)
    return [refreshFromMetadata(ctx.metadata), skipped('audience', NOT_SIGNED_IN), skipped('scopes', NOT_SIGNED_IN)];
  return [refreshFinding(grant, ctx.now), audienceFinding(grant), scopesFinding(grant)];
}

/** RFC 8707 §2: the token must be restricted to this resource; an audience elsewhere is a token for another server. */
function audienceFinding(grant: GrantEvidence): Finding {
  const resource = { label: 'Resource requested', value: grant.resource };
  if (!grant.audience?.length) {
    return finding(
      'audience',
      'warn',
      'The access token is opaque (or carries no "aud"): its audience cannot be checked here.',
      [resource],
      'Issue RFC 9068 JWT access tokens with "aud" set to the resource, or make sure the server validates the audience by introspection.',
    );
  }
  const aud = { label: 'aud', value: grant.audience.join(' ') };
  const bound = grant.audience.some(
    (a) =>
      a === grant.resource ||
      (URL.canParse(a) && URL.canParse(grant.resource) && isWithinResource(new URL(grant.resource), new URL(a))),
  );
  if (bound)
    return finding(
      'audience',
      'pass',
      "The token's audience is this server's resource: it cannot be replayed at another server that checks audiences.",
      [aud, resource],
    );
  return finding(
    'audience',
    'fail',
    "The token's audience is not this server: the token is valid elsewhere (a confused-deputy risk).",
    [aud, resource],
    'Honour the RFC 8707 "resource" parameter and set "aud" to it.',
  );
}

/** Granted vs requested (least privilege): more than asked is flagged, less is reported. */
function scopesFinding(grant: GrantEvidence): Finding {
  const granted = Scopes.of(grant.grantedScopes);
  const requested = Scopes.of(grant.requestedScopes);
  const observed = [
    { label: 'Granted', value: granted.display() },
    { label: 'Requested', value: requested.display() },
  ];
  if (!requested.isEmpty && !requested.covers(granted)) {
    return finding(
      'scopes',
      'warn',
      'The server granted scopes that were not requested (more privilege than asked for).',
      observed,
      'Grant at most the requested scopes.',
    );
  }
  if (!granted.covers(requested))
    return finding(
      'scopes',
      'pass',
      'The server granted fewer scopes than requested; tools needing the others will ask to step up.',
      observed,
    );
  return finding('scopes', 'pass', 'The granted scopes are exactly those requested.', observed);
}

/** Observed on the grant: a refresh token, and a short access-token lifetime. */
function refreshFinding(grant: GrantEvidence, now: number): Finding {
  const life = grant.expiresAt === undefined ? undefined : grant.expiresAt - now;
  const observed = [
    { label: 'Issued with a refresh token', value: String(grant.hasRefreshToken) },
    {
      label: 'Expires at',
      value: grant.expiresAt === undefined ? '(no expiry given)' : new Date(grant.expiresAt).toISOString(),
    },
  ];
  if (grant.expiresAt === undefined || (life !== undefined && life > LONG_LIVED_TOKEN_MS)) {
    return finding(
      'refresh',
      'warn',
      'The access token has no expiry or lives longer than a day: a leaked token stays useful for long.',
      observed,
      'Issue short-lived access tokens (minutes to hours) with a rotating refresh token.',
    );
  }
  if (!grant.hasRefreshToken) {
    return finding(
      'refresh',
      'warn',
      'No refresh token was issued: the user must sign in again when the access token runs out.',
      observed,
      'Issue rotating refresh tokens to public clients (or advertise offline_access if you require it).',
    );
  }
  return finding(
    'refresh',
    'pass',
    'Short-lived access token with a refresh token; the client refreshes before expiry with the same resource.',
    observed,
  );
}

function refreshFromMetadata(metadata: AuthServerMetadata | undefined): Finding {
  const grants = metadata?.grant_types_supported;
  if (!metadata || !grants) return skipped('refresh', NOT_SIGNED_IN);
  const observed = [{ label: 'grant_types_supported', value: grants.join(' ') }];
  if (grants.includes('refresh_token'))
    return finding(
      'refresh',
      'pass',
      'The authorization server advertises the refresh_token grant (sign in to see what it issues).',
      observed,
    );
  return finding(
    'refresh',
    'warn',
    'The authorization server does not advertise the refresh_token grant: users must sign in again when tokens expire.',
    observed,
    'Support rotating refresh tokens for public clients.',
  );
}
