/**
 * The seam between the MCP transports (src/core/mcp) and the OAuth engine (src/core/oauth).
 *
 * The transport never owns tokens: before every HTTP request it asks the authorizer for headers
 * (Authorization, DPoP), and when the resource server rejects a request (401/403) it hands the
 * response to the authorizer, which may discover metadata, sign in, refresh, step up (with the
 * user's consent) or record a DPoP nonce, and answers whether the request should be retried.
 *
 * MCP authorization 2025-11-25 §Access Token Usage: "MCP clients MUST use the Authorization request
 * header field … Access tokens MUST NOT be included in the URI query string" and a client "MUST NOT
 * send tokens to the MCP server other than ones issued by the MCP server's authorization server".
 * Implementations must therefore return no credentials for a URL outside the protected resource.
 */
export interface AuthorizedRequest {
  readonly url: URL;
  readonly method: string;
}

export interface RejectedRequest extends AuthorizedRequest {
  readonly status: number;
  readonly headers: Headers;
  /** 1 for the first rejection of this logical request, 2 for the rejection of its first retry, … */
  readonly attempt: number;
}

export type RejectionVerdict = 'retry' | 'fail';

/**
 * The retry rule of one logical request, in one place (MCP authorization 2025-11-25 §Scope Challenge
 * Handling: clients "SHOULD implement retry limits"). The authorizer re-authorizes (refresh, sign-in,
 * step-up) for at most `MAX_AUTH_RETRIES` rejections of the same request and answers `fail` (401) or
 * throws `step_up_limit` (403) after that; one more re-send is allowed only to answer a DPoP nonce
 * challenge (RFC 9449 §9), which needs no new grant.
 */
export const MAX_AUTH_RETRIES = 2;

/** Whether the authorizer may still re-authorize for the rejection numbered `attempt` (1-based). */
export function mayReauthorize(attempt: number): boolean {
  return attempt <= MAX_AUTH_RETRIES;
}

/** Whether the rejection numbered `attempt` may still be answered with a fresh DPoP nonce. */
export function mayRetryDpopNonce(attempt: number): boolean {
  return attempt <= MAX_AUTH_RETRIES + 1;
}

/**
 * Re-sends of one logical request the transport allows at most, whatever the authorizer answers: the
 * re-authorizations plus the DPoP nonce retry (a safety net against an authorizer that never stops).
 */
export const MAX_RESENDS_PER_REQUEST = MAX_AUTH_RETRIES + 1;

export interface RequestAuthorizer {
  /** Headers to add to this request; empty when no credential applies (or the URL is foreign). */
  headersFor(request: AuthorizedRequest, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Decide what to do about a 401/403 answer. Throws a typed McpSecureError when it must give up loudly. */
  handleRejection(rejection: RejectedRequest, signal?: AbortSignal): Promise<RejectionVerdict>;
}

/** No credentials at all (servers without auth, stdio). */
export const anonymousAuthorizer: RequestAuthorizer = {
  headersFor: async () => ({}),
  handleRejection: async () => 'fail',
};
