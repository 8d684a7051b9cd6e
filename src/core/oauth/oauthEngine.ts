/**
 * OAuthEngine — the client side of MCP authorization (MCP 2025-11-25 / 2026-07-28 §Authorization),
 * one per host (the extension or a CLI run), built on openid-client v6 for the protocol and jose for
 * access-token claims. Options, server options and the grant summary are documented on their types
 * (./types.ts); every failure is an `McpSecureError` with a stable code (src/core/errors.ts), and no
 * result or message carries a token. Every operation takes the whole `OAuthServer` (id, URL, options):
 * a grant is used only while it matches the definition it was issued for (grantBinding.ts).
 *
 * The lifecycle itself (store, refresh, revocation, DPoP, discovery context) is `GrantLifecycle`
 * (grantLifecycle.ts); the per-request 401/403 handling is `ServerAuthorizer` (serverAuthorizer.ts).
 */
import type { Event } from '../common/event';
import type { RequestAuthorizer } from '../requestAuthorizer';
import { GrantLifecycle, type SignInOptions } from './grantLifecycle';
import { ServerAuthorizer } from './serverAuthorizer';
import type { SignOutReport } from './signOutReport';
import type { GrantSummary, OAuthEngineOptions, OAuthServer } from './types';

export type { GrantSummary, OAuthEngineOptions, OAuthServer, OAuthServerOptions, StepUpConsent } from './types';
export type { SignOutReport } from './signOutReport';
export { DEFAULT_REFRESH_SKEW_MS, ROTATION_SETTLE_MS, type SignInOptions } from './grantLifecycle';

/** The OAuth engine's public API (see the file comment). */
export class OAuthEngine {
  private readonly lifecycle: GrantLifecycle;
  /** Fires with the server id whenever a grant is written or removed (this window or, via the store, another). */
  readonly onDidChangeGrants: Event<string>;

  constructor(options: OAuthEngineOptions) {
    this.lifecycle = new GrantLifecycle(options);
    this.onDidChangeGrants = this.lifecycle.onDidChangeGrants;
  }

  /** A RequestAuthorizer for the MCP transport of `server` (lazy: discovers and signs in on the first 401). */
  authorizerFor(server: OAuthServer): RequestAuthorizer {
    return new ServerAuthorizer(this.lifecycle, server);
  }

  /**
   * Sign in to `server` (MCP 2025-11-25 §Authorization Flow Steps): interactive (browser + loopback
   * redirect) for `authorization_code`, otherwise the machine grant `server.options.grant` names.
   * Concurrent calls for one server share one flow. Returns the grant summary (never tokens).
   */
  signIn(server: OAuthServer, opts: SignInOptions = {}): Promise<GrantSummary> {
    return this.lifecycle.signIn(server, opts);
  }

  /** The grant issued for this definition of the server (none when the definition changed since). */
  getGrant(server: OAuthServer): Promise<GrantSummary | undefined> {
    return this.lifecycle.getGrant(server);
  }

  /** The stored access token as is: no refresh, no network (read-only views such as the editor's session list). */
  storedAccessToken(server: OAuthServer): Promise<string | undefined> {
    return this.lifecycle.storedAccessToken(server);
  }

  /** The current access token, refreshed first (single-flight) when it expires within the skew. */
  getAccessToken(server: OAuthServer): Promise<string | undefined> {
    return this.lifecycle.getAccessToken(server);
  }

  /** Refresh the server's grant now (RFC 6749 §6, once per server at a time); resolves when stored. */
  async refresh(server: OAuthServer): Promise<void> {
    await this.lifecycle.refresh(server);
  }

  /**
   * RFC 7009: revoke the refresh token, then the access token, then delete locally. Says per token
   * what was revoked (signOutReport.ts); throws `revocation_failed` AFTER deleting if the AS refused.
   */
  signOut(server: OAuthServer): Promise<SignOutReport> {
    return this.lifecycle.signOut(server);
  }

  /** Sign out, then forget the dynamic client registration (RFC 7591); returns the issuers removed. */
  forgetRegistration(server: OAuthServer): Promise<string[]> {
    return this.lifecycle.forgetRegistration(server);
  }

  dispose(): void {
    this.lifecycle.dispose();
  }
}
