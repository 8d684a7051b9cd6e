import { identityFromGrant } from '../core/grantIdentity';
import type { ConnectionIdentity } from '../core/mcp/mcpConnection';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import {
  OAuthEngine,
  type GrantSummary,
  type OAuthServer,
  type OAuthServerOptions,
  type SignOutReport,
} from '../core/oauth/oauthEngine';
import { canonicalUrl } from '../core/oauth/grantBinding';
import { TokenStore } from '../core/oauth/tokenStore';
import type { ServerDefinition } from '../core/mcp/serverDefinition';
import type { BrowserOpener, Logger, SecretStore } from '../core/ports';
import type { RequestAuthorizer } from '../core/requestAuthorizer';
import { type GrantEvidence, grantEvidence } from '../core/security/grantChecks';

/** What the CLI shows about a grant (never token values). */
export type GrantView = GrantSummary;

/** The OAuth side of the CLI, over the OAuth engine (src/core/oauth/oauthEngine.ts). */
export interface CliAuth {
  authorizerFor(def: HttpServerDefinition): RequestAuthorizer;
  identityFor(def: HttpServerDefinition): Promise<ConnectionIdentity>;
  signIn(def: HttpServerDefinition, signal?: AbortSignal): Promise<GrantView>;
  getGrant(def: HttpServerDefinition): Promise<GrantView | undefined>;
  signOut(def: HttpServerDefinition): Promise<SignOutReport>;
  /** What the stored grant shows for the security report (never a token value). */
  grantEvidence(def: HttpServerDefinition): Promise<GrantEvidence | undefined>;
  /** The OAuth server (id, URL, full options) the engine would use for `def`. */
  serverFor(def: HttpServerDefinition): OAuthServer;
  /** Sign out and forget the dynamic client registration; returns the issuers whose registration was removed. */
  forgetRegistration(def: HttpServerDefinition): Promise<string[]>;
  dispose(): void;
}

export interface CliAuthDeps {
  readonly secrets: SecretStore;
  readonly logger: Logger;
  readonly opener: BrowserOpener;
  readonly signal: AbortSignal;
  /** The full per-server OAuth options (the MCP definition carries only the structural subset). */
  readonly options?: OAuthServerOptions;
  /** CIMD URL used as client_id where the AS supports it (SEP-991). */
  readonly clientMetadataUrl?: string;
  /** Consent to widen scopes on `403 insufficient_scope` (`--allow-step-up`; the conformance mode). */
  readonly allowStepUp: boolean;
  /** How long to wait for the loopback redirect. */
  readonly redirectTimeoutMs: number;
}

/**
 * Builds the CLI's OAuth adapter: one OAuthEngine for the run, with the user's store, the redacting
 * logger and the chosen opener. Step-up consent is a flag, because a CLI cannot ask mid-request.
 */
export function createCliAuth(deps: CliAuthDeps): CliAuth {
  const engine = new OAuthEngine({
    secrets: deps.secrets,
    logger: deps.logger,
    opener: deps.opener,
    signal: deps.signal,
    clientName: 'mcp-secure CLI',
    clientMetadataUrl: deps.clientMetadataUrl,
    redirectTimeoutMs: deps.redirectTimeoutMs,
    consent: async ({ granted, requested }) => {
      if (!deps.allowStepUp) {
        deps.logger.warn(
          `the server asks for more scopes (${requested.join(' ')}; granted: ${granted.join(' ') || 'none'}); pass --allow-step-up to consent`,
        );
      }
      return deps.allowStepUp;
    },
  });
  const serverFor = (def: HttpServerDefinition): OAuthServer => ({
    id: def.id,
    url: def.url,
    options: { ...def.oauth, ...deps.options },
  });
  return {
    authorizerFor: (def) => engine.authorizerFor(serverFor(def)),
    identityFor: async (def) => identityFromGrant(await engine.getGrant(serverFor(def))),
    signIn: (def, signal) => engine.signIn(serverFor(def), { signal }),
    getGrant: (def) => engine.getGrant(serverFor(def)),
    signOut: (def) => engine.signOut(serverFor(def)),
    grantEvidence: async (def) => {
      const grant = await engine.getGrant(serverFor(def));
      return grant ? grantEvidence(grant, await engine.storedAccessToken(serverFor(def))) : undefined;
    },
    serverFor,
    forgetRegistration: (def) => engine.forgetRegistration(serverFor(def)),
    dispose: () => engine.dispose(),
  };
}

/**
 * The CLI names a server by its URL alone, so the client a grant was issued to is not on the next
 * command line. A grant of a pre-registered client keeps being used (refreshed, revoked) with exactly
 * that client and issuer (RFC 6749 §6: a refresh token is bound to its client) unless `--client-id`
 * names another one. A confidential client still needs `--client-secret-env`: secrets are never stored
 * beside the grant.
 */
export async function withGrantClient(
  options: OAuthServerOptions,
  secrets: SecretStore,
  def: ServerDefinition,
): Promise<OAuthServerOptions> {
  if (def.transport !== 'http' || options.clientId || def.oauth?.clientId) return options;
  const grant = await new TokenStore(secrets).load(def.id);
  if (grant?.clientKind !== 'preregistered' || canonicalUrl(grant.serverUrl) !== canonicalUrl(def.url)) return options;
  return { ...options, clientId: grant.clientId, issuer: options.issuer ?? grant.issuer };
}
