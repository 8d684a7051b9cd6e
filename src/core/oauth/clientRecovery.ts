/**
 * What to do when the authorization server no longer accepts our client.
 *
 * RFC 6749 §5.2 `invalid_client`: "Client authentication failed (e.g., unknown client, no client
 * authentication included, or unsupported authentication method)". For a dynamically registered client
 * (RFC 7591) it means the server forgot the registration (an in-memory AS restarted, a cleanup job):
 * reusing it forever leaves every sign-in on the AS's error page. For a pre-registered client it means
 * the configuration is wrong (a missing secret, a deleted client): the grant is kept and the user is
 * told what to change.
 */
import * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { AuthContext } from './authContext';
import { CALLBACK_PATH } from './loopbackRedirect';
import { oauthErrorCode, oauthErrorCodeOf } from './tokenErrors';

/** True when the AS refused the client itself (RFC 6749 §5.2 `invalid_client`). */
export function isClientRejected(err: unknown): boolean {
  return oauthErrorCodeOf(err) === 'invalid_client';
}

/**
 * Whether the AS still knows a stored dynamic registration, checked before a browser is opened for it.
 * The authorization endpoint answers an unknown `client_id` with an error page that never redirects
 * back (RFC 6749 §4.1.2.1), so the client would wait in vain; the token endpoint authenticates the
 * client before it looks at the code (§5.2), so a code exchange with a code that cannot exist answers
 * `invalid_client` for a forgotten client and `invalid_grant` (or similar) for a known one.
 */
export async function isRegistrationForgotten(ctx: AuthContext, redirectUri: string): Promise<boolean> {
  try {
    await oidc.genericGrantRequest(ctx.config, 'authorization_code', {
      code: `mcp-secure-probe-${oidc.randomState()}`,
      redirect_uri: redirectUri,
      code_verifier: oidc.randomPKCECodeVerifier(),
    });
    return false;
  } catch (err) {
    return oauthErrorCode(err) === 'invalid_client';
  }
}

/** The redirect URI to register for the loopback flow (RFC 8252 §7.3: any port of this URI). */
export const LOOPBACK_REDIRECT_URI = `http://127.0.0.1${CALLBACK_PATH}`;

/** How to configure a client the user registered at the authorization server themselves. */
export const CONFIGURE_CLIENT_HINT = 'configure its client id ("oauth.clientId" in the server\'s settings, or --client-id on the command line; '
  + 'a confidential client also needs its secret: "oauth.clientSecret", or --client-secret-env)';

/** The refusal of a pre-registered client at the token endpoint: the grant is kept, the message says what to change. */
export function preregisteredClientRefused(clientId: string, issuer: string): McpSecureError {
  return new McpSecureError(
    'token_request_failed',
    `The authorization server ${issuer} refused the client "${clientId}" (invalid_client); the sign-in is kept. `
      + `Check that the client still exists there and ${CONFIGURE_CLIENT_HINT}.`,
  );
}

/** The end of a grant whose dynamic registration the AS forgot. */
export function registrationForgotten(issuer: string): McpSecureError {
  return new McpSecureError(
    'refresh_failed_permanent',
    `The authorization server ${issuer} no longer knows this client's registration (invalid_client): the registration and the sign-in were removed; sign in again to register anew.`,
  );
}
