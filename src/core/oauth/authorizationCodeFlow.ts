/**
 * OAuth 2.1 authorization code grant with PKCE S256 (MCP 2025-11-25 §Authorization Code Protection),
 * `state` (RFC 6749 §10.12), RFC 9207 `iss` checks and RFC 8707 `resource`, over openid-client.
 */
import * as oidc from 'openid-client';
import { McpSecureError, isMcpSecureError } from '../errors';
import { safeText } from '../common/safeText';
import type { BrowserOpener, Logger } from '../ports';
import type { AuthServerMetadata } from './authServerMetadata';
import type { LoopbackRedirect } from './loopbackRedirect';
import type { Scopes } from './scopes';
import { toTokenError } from './tokenErrors';
import { assertSafeUrl } from '../common/urlPolicy';

/**
 * MCP §Authorization Code Protection: clients "MUST use the S256 code challenge method when
 * technically capable" and "MUST refuse to proceed" when `code_challenge_methods_supported` is absent
 * (unless the user explicitly overrides per server). `plain`-only servers are refused.
 */
export function assertPkceS256(metadata: AuthServerMetadata, mode: 'require' | 'assume-s256' = 'require'): void {
  const methods = metadata.code_challenge_methods_supported;
  if (methods === undefined) {
    if (mode === 'assume-s256') return;
    throw new McpSecureError(
      'pkce_unsupported',
      'The authorization server does not advertise PKCE support (code_challenge_methods_supported is missing), so sign-in is refused. ' +
        PKCE_OVERRIDE_HINT,
    );
  }
  if (!methods.includes('S256')) {
    throw new McpSecureError('pkce_unsupported', 'The authorization server does not support the PKCE S256 method.');
  }
}

/** How to proceed when an AS does not advertise PKCE, and what it costs. */
export const PKCE_OVERRIDE_HINT =
  'If you trust this authorization server to support S256 anyway, set "oauth.pkce": "assume-s256" for this server ' +
  '(CLI: --pkce assume-s256). The risk: if it ignores PKCE, an intercepted authorization code can be redeemed by whoever intercepted it.';

/**
 * RFC 9207 §2.4: if the AS advertises `authorization_response_iss_parameter_supported`, `iss` must be
 * present; when present it must equal the recorded issuer by simple string comparison. This runs
 * BEFORE the `error` parameter is looked at, and on mismatch `error_description` is never surfaced.
 */
export function checkAuthorizationResponse(callback: URL, metadata: AuthServerMetadata, expectedState: string): string {
  const p = callback.searchParams;
  if (p.get('state') !== expectedState) {
    throw new McpSecureError('state_mismatch', 'The authorization response carried a missing or unexpected state.');
  }
  const iss = p.get('iss');
  if (iss === null && metadata.authorization_response_iss_parameter_supported === true) {
    throw new McpSecureError(
      'iss_mismatch',
      'The authorization response is missing the iss parameter the authorization server promised (RFC 9207).',
    );
  }
  if (iss !== null && iss !== metadata.issuer) {
    throw new McpSecureError(
      'iss_mismatch',
      'The authorization response came from a different issuer than expected (RFC 9207). It was discarded.',
    );
  }
  const error = p.get('error');
  if (error !== null) {
    const description = safeText(p.get('error_description'), 200);
    const code = safeText(error, 64);
    throw new McpSecureError(
      'authorization_denied',
      `The authorization server refused the request (${code})${description ? `: ${description}` : ''}.`,
    );
  }
  const code = p.get('code');
  if (!code) throw new McpSecureError('authorization_denied', 'The authorization response carried no code.');
  return code;
}

export interface AuthorizationCodeInput {
  config: oidc.Configuration;
  metadata: AuthServerMetadata;
  redirect: LoopbackRedirect;
  state: string;
  opener: BrowserOpener;
  scopes: Scopes;
  /** `resource` / `audience` parameters, sent on the authorization AND token requests. */
  resourceParams: Record<string, string>;
  pkce?: 'require' | 'assume-s256';
  dpop?: oidc.DPoPHandle;
  logger: Logger;
}

/** Run the interactive flow to a token response. The caller owns (and closes) the redirect listener. */
export async function runAuthorizationCodeFlow(input: AuthorizationCodeInput): Promise<oidc.TokenEndpointResponse> {
  assertPkceS256(input.metadata, input.pkce);
  if (!input.metadata.authorization_endpoint) {
    throw new McpSecureError('invalid_metadata', 'The authorization server metadata has no authorization_endpoint.');
  }
  const verifier = oidc.randomPKCECodeVerifier();
  const params: Record<string, string> = {
    response_type: 'code',
    redirect_uri: input.redirect.redirectUri,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: input.state,
    ...input.resourceParams,
  };
  if (!input.scopes.isEmpty) params.scope = input.scopes.toString();
  // OIDC Core §11: "When offline access is requested, a prompt parameter value of consent MUST be used
  // unless other conditions for processing the request permitting offline access to the requested
  // resources are in place." Providers (oidc-provider by default) otherwise drop offline_access.
  if (input.scopes.has('offline_access')) params.prompt = 'consent';
  if (input.dpop) params.dpop_jkt = await input.dpop.calculateThumbprint();
  const url = assertSafeUrl(oidc.buildAuthorizationUrl(input.config, params), 'authorization URL');
  input.logger.info(`opening authorization page at ${url.origin}${url.pathname} (scope: ${input.scopes.display()})`);
  const opened = input.opener.open(url).catch((cause: unknown) => {
    if (isMcpSecureError(cause)) throw cause;
    input.redirect.cancel();
    throw new McpSecureError('authorization_cancelled', 'Could not open the authorization page.', { cause });
  });
  // An opener failure ends the flow; otherwise wait for the single loopback callback.
  const callback = await Promise.race([input.redirect.wait(), opened.then(() => input.redirect.wait())]);
  // The browser learns the outcome only after every check and the exchange (never "Signed in" for
  // a response we discard); any failure answers with the failure page.
  try {
    checkAuthorizationResponse(callback, input.metadata, input.state);
  } catch (err) {
    input.redirect.respond('failure');
    throw err;
  }
  let response: oidc.TokenEndpointResponse;
  try {
    response = await oidc.authorizationCodeGrant(
      input.config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: input.state, idTokenExpected: false },
      input.resourceParams,
      input.dpop ? { DPoP: input.dpop } : undefined,
    );
  } catch (err) {
    input.redirect.respond('failure');
    throw toTokenError(err, 'token_request_failed', 'The authorization code could not be exchanged for a token');
  }
  input.redirect.respond('success');
  return response;
}
