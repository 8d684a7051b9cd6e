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
import { McpSecureError } from '../errors';
import type { BrowserOpener } from '../ports';
import type { FetchLike } from './httpJson';
import { CALLBACK_PATH } from './loopbackRedirect';

/** True when the AS refused the client itself (RFC 6749 §5.2 `invalid_client`). */
export function isClientRejected(err: unknown): boolean {
  // The OAuth `error` of openid-client's ResponseBodyError / AuthorizationResponseError, or of the cause a
  // translated McpSecureError keeps (tokenErrors.ts). Read structurally: this module is on the start-up
  // path, and openid-client loads only with the protocol half of the engine (oauthProtocol.ts).
  const e = err as { error?: unknown; cause?: { error?: unknown } } | undefined;
  return (e?.error ?? e?.cause?.error) === 'invalid_client';
}

/** Causes that mark the refusal of a stored registration (the engine registers again once), with the issuer. */
const refusals = new WeakMap<Error, string>();

/**
 * An opener that first checks that the authorization server accepts the authorization request of a
 * stored dynamic registration. An AS answers an unknown `client_id` or an unregistered `redirect_uri`
 * with an error page and never redirects back (RFC 6749 §4.1.2.1: it "MUST NOT automatically redirect
 * the user-agent to the invalid redirection URI"), so the user would face that page while the client
 * waits in vain. The check requests the very URL the browser gets (no redirect is followed, nothing is
 * submitted): HTTP 400 (how authorization servers answer an unknown client or redirect URI) means the
 * registration is refused; anything else (a login page, a redirect, a network problem) opens the browser
 * as usual, so an AS that answers differently costs nothing but the check.
 */
export function checkedOpener(opener: BrowserOpener, fetchImpl: FetchLike, issuer: string): BrowserOpener {
  return {
    open: async (url: URL) => {
      // A network problem is not a refusal: the browser opens as usual.
      const status = await fetchImpl(url.href, {
        method: 'GET',
        redirect: 'manual',
        headers: { accept: 'text/html' },
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      }).then(
        async (response) => {
          await response.body?.cancel().catch(() => undefined);
          return response.status;
        },
        () => 0,
      );
      if (status === 400) {
        const cause = new Error('RefusedRegistration');
        refusals.set(cause, issuer);
        throw new McpSecureError(
          'registration_failed',
          `The authorization server ${issuer} refused the stored client registration (HTTP ${status}).`,
          { cause },
        );
      }
      await opener.open(url);
    },
  };
}

/** How long the check of a stored registration may take before the browser opens anyway. */
export const CHECK_TIMEOUT_MS = 10_000;

/** The issuer named by a refusal from {@link checkedOpener}, else undefined. */
export function refusedRegistrationIssuer(err: unknown): string | undefined {
  return err instanceof McpSecureError && err.cause instanceof Error ? refusals.get(err.cause) : undefined;
}

/** The redirect URI to register for the loopback flow (RFC 8252 §7.3: any port of this URI). */
export const LOOPBACK_REDIRECT_URI = `http://127.0.0.1${CALLBACK_PATH}`;

/** How to configure a client the user registered at the authorization server themselves. */
export const CONFIGURE_CLIENT_HINT =
  'configure its client id ("oauth.clientId" in the server\'s settings, or --client-id on the command line; ' +
  'a confidential client also needs its secret, given with Add Server or --client-secret-env)';

/** The refusal of a pre-registered client at the token endpoint: the grant is kept, the message says what to change. */
export function preregisteredClientRefused(clientId: string, issuer: string): McpSecureError {
  return new McpSecureError(
    'token_request_failed',
    `The authorization server ${issuer} refused the client "${clientId}" (invalid_client); the sign-in is kept. ` +
      `Check that the client still exists there and ${CONFIGURE_CLIENT_HINT}.`,
  );
}

/** The end of a grant whose dynamic registration the AS forgot. */
export function registrationForgotten(issuer: string): McpSecureError {
  return new McpSecureError(
    'refresh_failed_permanent',
    `The authorization server ${issuer} no longer knows this client's registration (invalid_client): the registration and the sign-in were removed; sign in again to register anew.`,
  );
}
