/**
 * What a sign-out did at the authorization server, token by token (RFC 7009), so that the user is told
 * exactly what was revoked and what stays valid, and until when. An AS without a revocation endpoint,
 * or one that answers `unsupported_token_type` for self-contained (JWT) access tokens (RFC 7009
 * §2.2.1), leaves that token usable until it expires: saying "revoked" would be false.
 */

/** The fate of one token at sign-out. */
export type TokenRevocation =
  /** The AS confirmed the revocation (HTTP 200). */
  | 'revoked'
  /** The grant held no such token. */
  | 'not_held'
  /** The AS does not revoke this kind of token (`unsupported_token_type`). */
  | 'not_supported'
  /** The AS publishes no `revocation_endpoint` (RFC 8414 §2). */
  | 'no_endpoint'
  /** The request failed (network, or an error other than `unsupported_token_type`). */
  | 'failed'
  /** Not sent: the grant belonged to an earlier definition of the server (never sent to the new one). */
  | 'not_sent';

export interface SignOutReport {
  readonly serverId: string;
  /** The grant's issuer, when there was a grant. */
  readonly issuer?: string;
  /** False when there was nothing to sign out of. */
  readonly hadGrant: boolean;
  readonly refreshToken: TokenRevocation;
  readonly accessToken: TokenRevocation;
  /** When the access token expires (epoch ms), if known: it stays valid until then unless revoked. */
  readonly accessTokenExpiresAt?: number;
}

/** One human sentence per sign-out: what was revoked, what stays valid until when, what was only forgotten here. */
export function describeSignOut(r: SignOutReport): string {
  if (!r.hadGrant) return 'Not signed in: nothing to revoke.';
  const at = r.issuer ? ` at ${r.issuer}` : '';
  const revoked = [
    r.refreshToken === 'revoked' ? 'the refresh token' : '',
    r.accessToken === 'revoked' ? 'the access token' : '',
  ].filter(Boolean);
  const parts = [`Signed out: the tokens were removed from this machine.`];
  if (revoked.length) parts.push(`Revoked${at}: ${revoked.join(' and ')}.`);
  if (r.refreshToken !== 'revoked' && r.refreshToken !== 'not_held')
    parts.push(`The refresh token was not revoked (${reason(r.refreshToken)}).`);
  if (r.accessToken !== 'revoked' && r.accessToken !== 'not_held') {
    const until =
      r.accessTokenExpiresAt !== undefined
        ? ` and stays valid until ${new Date(r.accessTokenExpiresAt).toISOString()}`
        : ' and stays valid until it expires';
    parts.push(`The access token was not revoked (${reason(r.accessToken)})${until}.`);
  }
  return parts.join(' ');
}

function reason(outcome: TokenRevocation): string {
  switch (outcome) {
    case 'not_supported':
      return 'the authorization server does not revoke this kind of token';
    case 'no_endpoint':
      return 'the authorization server offers no revocation endpoint';
    case 'failed':
      return 'the revocation request failed';
    case 'not_sent':
      return 'it was issued for an earlier definition of this server and is never sent to the new one';
    default:
      return outcome;
  }
}
