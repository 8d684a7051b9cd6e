import { McpSecureError } from '../errors';

/**
 * A request the resource server refused with 401/403 after the authorizer gave up (RFC 6750 §3.1).
 * Carries the status and, for `insufficient_scope`, the scope the challenge named, so the tool call
 * can be reported as `denied` with the missing scope.
 */
export class AccessDeniedError extends McpSecureError {
  constructor(
    readonly status: 401 | 403,
    /** The `scope` parameter of the `insufficient_scope` challenge (space-separated), if any. */
    readonly challengeScope: string | undefined,
    /** The `error` parameter of the challenge, e.g. `invalid_token`, `insufficient_scope`. */
    readonly challengeError: string | undefined,
    /** The authorizer's own typed error when it gave up loudly (e.g. `step_up_refused`): its code and message win. */
    authorizerError?: McpSecureError,
  ) {
    super(
      authorizerError?.code ??
        (status === 401
          ? 'unauthorized'
          : challengeError === 'insufficient_scope'
            ? 'insufficient_scope'
            : 'forbidden'),
      authorizerError?.message ?? defaultMessage(status, challengeScope, challengeError),
      authorizerError ? { cause: authorizerError } : undefined,
    );
  }
}

function defaultMessage(status: 401 | 403, scope: string | undefined, error: string | undefined): string {
  if (status === 401) return 'The server rejected the request as unauthorized (HTTP 401).';
  if (error === 'insufficient_scope')
    return `The server requires more scope${scope ? ` (${sanitizeScope(scope)})` : ''} (HTTP 403).`;
  return 'The server denied the request (HTTP 403).';
}

/** Keep only scope-token characters (RFC 6749 §3.3) so server text cannot smuggle markup into messages. */
export function sanitizeScope(scope: string): string {
  return scope.replace(/[^\x21\x23-\x5B\x5D-\x7E ]/g, '').slice(0, 200);
}

/** Parse `WWW-Authenticate: Bearer k="v", …` auth-params (RFC 6750 §3, RFC 9110 §11.6.1). */
export function parseBearerChallenge(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  const m = /(?:^|,)\s*Bearer\b(.*)$/i.exec(header);
  const params = m?.[1] ?? '';
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let r = re.exec(params); r; r = re.exec(params)) {
    const key = r[1]?.toLowerCase();
    if (key && !(key in out)) out[key] = (r[2] ?? r[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}
