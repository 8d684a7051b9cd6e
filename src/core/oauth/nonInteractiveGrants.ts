/**
 * Grants without a browser, for the MCP authorization extensions:
 * - client credentials (OAuth 2.1 §4.2, SEP-1046) with `client_secret_basic` or `private_key_jwt` (RFC 7523 §2.2);
 * - JWT bearer with a supplied assertion (RFC 7523 §2.1; workload identity federation, SEP-1933);
 * - enterprise-managed authorization (SEP-990): RFC 8693 token exchange of the user's ID token for an
 *   ID-JAG at the IdP, then the JWT bearer grant at the AS.
 * Failures are surfaced once (no retry, no fallback to another grant type).
 */
import * as oidc from 'openid-client';
import { McpSecureError, isMcpSecureError } from '../errors';
import type { AuthContext } from './authContext';
import { boundedFetch, type FetchLike } from './httpJson';
import type { Scopes } from './scopes';
import { toTokenError } from './tokenErrors';
import type { OAuthServerOptions } from './types';
import { assertSafeUrl } from '../common/urlPolicy';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

export interface GrantInput {
  ctx: AuthContext;
  options: OAuthServerOptions;
  scopes: Scopes;
  resourceParams: Record<string, string>;
  dpop?: oidc.DPoPHandle;
  fetch: FetchLike;
  signal?: AbortSignal;
}

const withScope = (scopes: Scopes, params: Record<string, string>): Record<string, string> =>
  scopes.isEmpty ? { ...params } : { ...params, scope: scopes.toString() };

/** OAuth 2.1 §4.2 client credentials grant (client auth per the registered method). */
export async function runClientCredentials(input: GrantInput): Promise<oidc.TokenEndpointResponse> {
  try {
    return await oidc.clientCredentialsGrant(
      input.ctx.config,
      withScope(input.scopes, input.resourceParams),
      input.dpop ? { DPoP: input.dpop } : undefined,
    );
  } catch (err) {
    throw toTokenError(err, 'token_request_failed', 'The client credentials grant failed');
  }
}

/** RFC 7523 §2.1 JWT bearer grant with `assertion`. */
export async function runJwtBearer(input: GrantInput, assertion: string): Promise<oidc.TokenEndpointResponse> {
  try {
    return await oidc.genericGrantRequest(
      input.ctx.config,
      JWT_BEARER,
      { ...withScope(input.scopes, input.resourceParams), assertion },
      input.dpop ? { DPoP: input.dpop } : undefined,
    );
  } catch (err) {
    throw toTokenError(err, 'token_request_failed', 'The JWT bearer grant failed');
  }
}

/** SEP-990 step 1: RFC 8693 token exchange at the IdP for an Identity Assertion JWT Authorization Grant. */
export async function exchangeForIdJag(input: GrantInput): Promise<string> {
  const idp = input.options.enterprise;
  if (!idp)
    throw new McpSecureError('token_request_failed', 'Enterprise-managed authorization needs the IdP settings.');
  const endpoint = assertSafeUrl(idp.tokenEndpoint, 'IdP token endpoint');
  const body = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE,
    requested_token_type: ID_JAG_TYPE,
    audience: input.ctx.metadata.issuer,
    resource: input.ctx.resource,
    subject_token: idp.idToken,
    subject_token_type: ID_TOKEN_TYPE,
  });
  if (!input.scopes.isEmpty) body.set('scope', input.scopes.toString());
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (idp.clientSecret) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(idp.clientId)}:${encodeURIComponent(idp.clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', idp.clientId);
  }
  let response: Response;
  // The IdP endpoint is the user's own setting (not server-supplied): scheme-checked above, bounded here.
  const fetchIdp = boundedFetch(input.fetch, { what: 'IdP token response', timeoutMs: input.ctx.requestTimeoutMs });
  try {
    response = await fetchIdp(endpoint, { method: 'POST', headers, body, redirect: 'manual', signal: input.signal });
  } catch (cause) {
    if (isMcpSecureError(cause)) throw cause;
    throw new McpSecureError('token_request_failed', 'Could not reach the IdP token endpoint.', { cause });
  }
  const text = await response.text();
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (!response.ok || typeof doc.access_token !== 'string') {
    const code =
      typeof doc.error === 'string' ? doc.error.replace(/[^\w.-]/g, '').slice(0, 64) : `HTTP ${response.status}`;
    throw new McpSecureError('token_request_failed', `The IdP token exchange failed (${code}).`);
  }
  if (doc.issued_token_type !== undefined && doc.issued_token_type !== ID_JAG_TYPE) {
    throw new McpSecureError('token_request_failed', 'The IdP issued an unexpected token type.');
  }
  return doc.access_token;
}

/** SEP-990: ID token -> ID-JAG at the IdP (RFC 8693), then ID-JAG -> access token at the AS (RFC 7523). */
export async function runEnterpriseGrant(input: GrantInput): Promise<oidc.TokenEndpointResponse> {
  const idJag = await exchangeForIdJag(input);
  return runJwtBearer(input, idJag);
}
