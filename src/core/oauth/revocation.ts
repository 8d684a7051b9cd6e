/**
 * RFC 7009 token revocation on sign-out: the refresh token first (which, per RFC 7009 §2.1, usually
 * also invalidates its access tokens), then the access token. Returns what failed, never throws.
 */
import * as oidc from 'openid-client';
import type { Logger } from '../ports';
import type { AuthContext } from './authContext';
import { oauthErrorCode, toTokenError } from './tokenErrors';
import type { StoredGrant } from './types';

/**
 * Revoke the grant's tokens. An AS may refuse to revoke access tokens with `unsupported_token_type`
 * (RFC 7009 §2.2.1; e.g. self-contained JWT access tokens, which only expire): that is not a failure
 * of sign-out, only logged at info level (never with the token).
 */
export async function revokeGrantTokens(ctx: AuthContext, grant: StoredGrant, logger: Logger): Promise<string[]> {
  if (!ctx.metadata.revocation_endpoint) {
    logger.info(`${ctx.metadata.issuer} has no revocation endpoint; forgetting the tokens locally`);
    return [];
  }
  const failures: string[] = [];
  const tokens: [string | undefined, string][] = [[grant.refreshToken, 'refresh_token'], [grant.accessToken, 'access_token']];
  for (const [token, hint] of tokens) {
    if (!token) continue;
    try {
      await oidc.tokenRevocation(ctx.config, token, { token_type_hint: hint });
    } catch (err) {
      if (hint === 'access_token' && oauthErrorCode(err) === 'unsupported_token_type') {
        logger.info(`${ctx.metadata.issuer} does not revoke access tokens (RFC 7009 unsupported_token_type); it stays valid until it expires`);
        continue;
      }
      const e = toTokenError(err, 'revocation_failed', `Revoking the ${hint.replace('_', ' ')} failed`);
      logger.warn(e.message);
      failures.push(e.message);
    }
  }
  return failures;
}
