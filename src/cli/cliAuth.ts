import { McpSecureError } from '../core/errors';
import type { ConnectionIdentity } from '../core/mcp/mcpConnection';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import type { BrowserOpener, Logger, SecretStore } from '../core/ports';
import { anonymousAuthorizer, type RequestAuthorizer } from '../core/requestAuthorizer';

/** What the CLI shows about a grant (never token values). Mirrors the OAuth engine's GrantSummary. */
export interface GrantView {
  readonly serverId: string;
  readonly issuer?: string;
  readonly resource?: string;
  readonly clientId?: string;
  readonly subject?: string;
  readonly displayName?: string;
  readonly grantedScopes: readonly string[];
  readonly requestedScopes: readonly string[];
  readonly expiresAt?: number;
  readonly tokenType?: string;
}

/** The OAuth side of the CLI, over the OAuth engine (src/core/oauth/oauthEngine.ts). */
export interface CliAuth {
  authorizerFor(def: HttpServerDefinition): RequestAuthorizer;
  identityFor(def: HttpServerDefinition): Promise<ConnectionIdentity>;
  signIn(def: HttpServerDefinition, signal?: AbortSignal): Promise<GrantView>;
  getGrant(def: HttpServerDefinition): Promise<GrantView | undefined>;
  signOut(def: HttpServerDefinition): Promise<void>;
}

export interface CliAuthDeps {
  readonly secrets: SecretStore;
  readonly logger: Logger;
  readonly opener: BrowserOpener;
  readonly signal: AbortSignal;
  readonly clientMetadataUrl?: string;
}

/** Builds the CLI's OAuth adapter. */
export function createCliAuth(_deps: CliAuthDeps): CliAuth {
  const unavailable = (): never => {
    throw new McpSecureError('internal', 'OAuth sign-in is not available in this build');
  };
  return {
    authorizerFor: () => anonymousAuthorizer,
    identityFor: async () => ({ agent: { kind: 'none' }, grantedScopes: [] }),
    signIn: async () => unavailable(),
    getGrant: async () => undefined,
    signOut: async () => unavailable(),
  };
}
