/**
 * The slice of the core OAuth engine the editor adapters use (`src/core/oauth/oauthEngine.ts`
 * implements it). Declared here by role so the adapters depend on what they call, not on the engine's
 * construction; `extension.ts` passes the real engine.
 */
import type { RequestAuthorizer } from '../core/requestAuthorizer';
import type { HttpOAuthOptions } from '../core/mcp/serverDefinition';
import type { SignOutReport } from '../core/oauth/signOutReport';

export interface OAuthServerRef {
  readonly id: string;
  readonly url: string;
  readonly options?: HttpOAuthOptions;
}

/** What a grant looks like to the UI: never token values. */
export interface GrantView {
  readonly serverId: string;
  readonly issuer: string;
  readonly resource: string;
  readonly clientId: string;
  readonly subject?: string;
  readonly displayName?: string;
  readonly grantedScopes: readonly string[];
  readonly requestedScopes: readonly string[];
  readonly expiresAt?: number;
  readonly tokenType: string;
  /** The grant holds a refresh token (what `offline_access` asked for). */
  readonly hasRefreshToken?: boolean;
}

/**
 * Every call names the whole server (id, URL, OAuth options), so the engine never falls back to
 * defaults for a server it has not seen yet, and a grant issued for an earlier definition of the id
 * counts as no grant. Nothing here refreshes outside the request path (`authorizerFor`) or sign-in.
 */
export interface GrantEngine {
  authorizerFor(server: OAuthServerRef): RequestAuthorizer;
  signIn(server: OAuthServerRef, options?: { signal?: AbortSignal; scopes?: string[] }): Promise<GrantView>;
  getGrant(server: OAuthServerRef): Promise<GrantView | undefined>;
  /** The stored access token as is: no refresh, no network. */
  storedAccessToken(server: OAuthServerRef): Promise<string | undefined>;
  /** Revokes and removes the grant; the report says per token what was revoked (core signOutReport.ts). */
  signOut(server: OAuthServerRef): Promise<SignOutReport>;
  /** Sign out and forget the dynamic client registration; returns the issuers whose registration was removed. */
  forgetRegistration(server: OAuthServerRef): Promise<string[]>;
  onDidChangeGrants(listener: (serverId: string) => void): { dispose(): void };
}
