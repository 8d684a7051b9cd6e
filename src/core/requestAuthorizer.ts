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
