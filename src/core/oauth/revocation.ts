/**
 * RFC 7009 token revocation on sign-out: the refresh token first (which, per RFC 7009 §2.1, usually
 * also invalidates its access tokens), then the access token. Reports each token's fate, never throws.
 */
import * as oidc from 'openid-client';
import type { Logger } from '../ports';
import type { AuthContext } from './authContext';
import type { TokenRevocation } from './signOutReport';
import { oauthErrorCode, toTokenError } from './tokenErrors';
import type { StoredGrant } from './types';

export interface RevocationResult {
  readonly refreshToken: TokenRevocation;
  readonly accessToken: TokenRevocation;
  /** Messages of the requests that failed (not `unsupported_token_type`, which is an answer). */
  readonly failures: string[];
}

/**
 * Revoke the grant's tokens. An AS may refuse to revoke access tokens with `unsupported_token_type`
 * (RFC 7009 §2.2.1; e.g. self-contained JWT access tokens, which only expire): that is not a failure
 * of sign-out, but the token stays valid, and the result says so.
 */
export async function revokeGrantTokens(
  ctx: AuthContext,
  grant: StoredGrant,
  logger: Logger,
): Promise<RevocationResult> {
  if (!ctx.metadata.revocation_endpoint) {
    logger.info(`${ctx.metadata.issuer} has no revocation endpoint; forgetting the tokens locally`);
    return { refreshToken: grant.refreshToken ? 'no_endpoint' : 'not_held', accessToken: 'no_endpoint', failures: [] };
  }
  const failures: string[] = [];
  const revoke = async (
    token: string | undefined,
    hint: 'refresh_token' | 'access_token',
  ): Promise<TokenRevocation> => {
    if (!token) return 'not_held';
    try {
      await oidc.tokenRevocation(ctx.config, token, { token_type_hint: hint });
      return 'revoked';
    } catch (err) {
      if (oauthErrorCode(err) === 'unsupported_token_type') {
        logger.info(
          `${ctx.metadata.issuer} does not revoke ${hint.replace('_', ' ')}s (RFC 7009 unsupported_token_type); it stays valid until it expires`,
        );
        return 'not_supported';
      }
      const e = toTokenError(err, 'revocation_failed', `Revoking the ${hint.replace('_', ' ')} failed`);
      logger.warn(e.message);
      failures.push(e.message);
      return 'failed';
    }
  };
  const refreshToken = await revoke(grant.refreshToken, 'refresh_token');
  const accessToken = await revoke(grant.accessToken, 'access_token');
  return { refreshToken, accessToken, failures };
}
