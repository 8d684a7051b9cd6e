/**
 * OAuthEngine — the client side of MCP authorization (MCP 2025-11-25 / 2026-07-28 §Authorization),
 * built on openid-client v6 for the protocol and jose for decoding access-token claims.
 *
 * ## API summary (other areas code against this)
 * ```ts
 * import { OAuthEngine } from './core/oauth/oauthEngine';
 * const engine = new OAuthEngine({ secrets, logger, opener, clock?, fetch?, consent?, redirectTimeoutMs?,
 *   clientName?, clientMetadataUrl?, signal?, refreshSkewMs?, maxAuthRetries? });
 * const server: OAuthServer = { id: 'tickets', url: 'https://mcp.example.com/mcp', options?: OAuthServerOptions };
 * engine.authorizerFor(server): RequestAuthorizer   // lazy: discovers + signs in on the first 401
 * engine.signIn(server, { signal?, scopes? }): Promise<GrantSummary>   // interactive (BrowserOpener + loopback) or
 *                                                   // non-interactive per options.grant
 * engine.getGrant(serverId): Promise<GrantSummary | undefined>        // never token values
 * engine.getAccessToken(serverId): Promise<string | undefined>        // refreshed (single-flight) if near expiry
 * engine.signOut(serverId): Promise<void>     // RFC 7009 revoke refresh then access token, then delete locally
 * engine.onDidChangeGrants(listener: (serverId) => void): { dispose() }
 * engine.dispose()
 * ```
 * Types (`./types`): OAuthServer, OAuthServerOptions, GrantSummary, StepUpConsent, OAuthEngineOptions.
 * Errors: every failure is an `McpSecureError` (src/core/errors.ts) with a stable code, e.g.
 * insecure_url, invalid_url, invalid_metadata, metadata_too_large, issuer_mismatch, resource_mismatch,
 * discovery_failed, pkce_unsupported, registration_failed, state_mismatch, iss_mismatch,
 * authorization_denied, authorization_timeout, authorization_cancelled, token_request_failed,
 * refresh_failed_transient, refresh_failed_permanent, step_up_refused, step_up_limit, not_signed_in,
 * revocation_failed, dpop_failed. Messages never contain secrets.
 *
 * RequestAuthorizer behaviour (src/core/requestAuthorizer.ts): `headersFor` adds
 * `Authorization: Bearer|DPoP <token>` (+ `DPoP` proof) only for URLs inside the protected resource;
 * `handleRejection` on 401 discovers + signs in (or refreshes) and answers 'retry'; on 401 with a
 * `DPoP-Nonce` records it and answers 'retry'; on 403 `insufficient_scope` asks `consent` and
 * re-authorizes with the union of granted + challenged scopes; gives up with `step_up_limit` after
 * `maxAuthRetries` attempts.
 *
 * Headless use (CLI / conformance): pass an opener whose `open(url)` fetches the authorization URL
 * with `redirect: 'manual'` and then requests the `Location` (the loopback redirect) itself.
 */
import { McpSecureError } from '../errors';
import type { RequestAuthorizer } from '../requestAuthorizer';
import type { GrantSummary, OAuthEngineOptions, OAuthServer } from './types';

export type { GrantSummary, OAuthEngineOptions, OAuthServer, OAuthServerOptions, StepUpConsent } from './types';

export class OAuthEngine {
  constructor(private readonly options: OAuthEngineOptions) {}

  authorizerFor(_server: OAuthServer): RequestAuthorizer {
    throw new McpSecureError('internal', 'OAuthEngine is being implemented');
  }
  async signIn(_server: OAuthServer, _opts: { signal?: AbortSignal; scopes?: string[] } = {}): Promise<GrantSummary> {
    throw new McpSecureError('internal', 'OAuthEngine is being implemented');
  }
  async getGrant(_serverId: string): Promise<GrantSummary | undefined> {
    return undefined;
  }
  async getAccessToken(_serverId: string): Promise<string | undefined> {
    return undefined;
  }
  async signOut(_serverId: string): Promise<void> {
    void this.options;
  }
  onDidChangeGrants(_listener: (serverId: string) => void): { dispose(): void } {
    return { dispose: () => undefined };
  }
  dispose(): void {}
}
