/**
 * Translate openid-client / oauth4webapi errors into typed McpSecureErrors that carry only the
 * OAuth `error` code and HTTP status — never a token, never the raw body.
 */
import * as oidc from 'openid-client';
import { type McpSecureErrorCode, McpSecureError, isMcpSecureError } from '../errors';

/** The RFC 6749 §5.2 `error` code of a failed token request, when there is one. */
export function oauthErrorCode(err: unknown): string | undefined {
  if (err instanceof oidc.ResponseBodyError) return err.error;
  if (err instanceof oidc.AuthorizationResponseError) return err.error;
  return undefined;
}

/** HTTP status of a failed request, if known. */
export function oauthErrorStatus(err: unknown): number | undefined {
  if (err instanceof oidc.ResponseBodyError) return err.status;
  if (err instanceof oidc.WWWAuthenticateChallengeError) return err.status;
  // oauth4webapi reports non-conforming answers (e.g. a 5xx) with the Response as `cause`.
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Response) return cause.status;
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** True for network failures and 5xx answers (RFC 6749 does not make these final). */
export function isTransient(err: unknown): boolean {
  const status = oauthErrorStatus(err);
  if (status !== undefined) return status >= 500;
  if (oauthErrorCode(err)) return false;
  if (err instanceof oidc.ClientError) {
    const code = (err as { code?: string }).code;
    return code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ? false : !!code && code.includes('NETWORK');
  }
  return (
    err instanceof TypeError ||
    (err as { name?: string } | undefined)?.name === 'AbortError' ||
    (err as { name?: string } | undefined)?.name === 'TimeoutError'
  );
}

/**
 * The typed error our own bounded fetch raised (`request_timeout`, `response_too_large`, a URL-policy
 * refusal) when openid-client wrapped it (e.g. as the cause of a JSON parse failure), else undefined.
 */
export function boundedFetchError(err: unknown): McpSecureError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isMcpSecureError(e)) return e;
  }
  return undefined;
}

/** A typed error for a failed token-endpoint call: OAuth `error` code and HTTP status only (RFC 6749 §5.2). */
export function toTokenError(err: unknown, code: McpSecureErrorCode, what: string): McpSecureError {
  const own = boundedFetchError(err);
  if (own) return own;
  const oauth = oauthErrorCode(err);
  const status = oauthErrorStatus(err);
  const detail = oauth
    ? ` (${oauth.replace(/[^\w.-]/g, '').slice(0, 64)}${status ? `, HTTP ${status}` : ''})`
    : status
      ? ` (HTTP ${status})`
      : '';
  return new McpSecureError(code, `${what}${detail}.`, { cause: scrubCause(err) });
}

/**
 * Keep a cause for debugging without carrying response bodies (which may echo tokens) along:
 * only the error's name, code and OAuth error code survive.
 */
function scrubCause(err: unknown): Error {
  const e = new Error(err instanceof Error ? err.name : 'Error');
  Object.assign(e, { code: (err as { code?: unknown } | undefined)?.code, error: oauthErrorCode(err) });
  return e;
}

/** The OAuth `error` code of a raw or already-translated token error. */
export function oauthErrorCodeOf(err: unknown): string | undefined {
  return (
    oauthErrorCode(err) ?? ((err as { cause?: { error?: unknown } } | undefined)?.cause?.error as string | undefined)
  );
}
