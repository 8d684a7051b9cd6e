/**
 * The slice of the core OAuth engine the editor adapters use (`src/core/oauth/oauthEngine.ts`
 * implements it). Declared here by role so the adapters depend on what they call, not on the engine's
 * construction; `extension.ts` passes the real engine.
 */
import type { RequestAuthorizer } from '../core/requestAuthorizer';
import type { HttpOAuthOptions } from '../core/mcp/serverDefinition';

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

export interface GrantEngine {
  authorizerFor(server: OAuthServerRef): RequestAuthorizer;
  signIn(server: OAuthServerRef, options?: { signal?: AbortSignal; scopes?: string[] }): Promise<GrantView>;
  getGrant(serverId: string): Promise<GrantView | undefined>;
  getAccessToken(serverId: string): Promise<string | undefined>;
  signOut(serverId: string): Promise<void>;
  onDidChangeGrants(listener: (serverId: string) => void): { dispose(): void };
}
