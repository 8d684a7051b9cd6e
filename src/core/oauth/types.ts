/**
 * Public types of the OAuth engine (MCP authorization 2025-11-25 and 2026-07-28).
 * Nothing here ever carries a token value except the internal {@link StoredGrant}.
 */
import type { BrowserOpener, Clock, Logger, SecretStore } from '../ports';

/** Which grant the engine runs for a server. Default: `authorization_code` (interactive, PKCE). */
export type OAuthGrantKind =
  | 'authorization_code'
  /** OAuth 2.1 §4.2 / SEP-1046 client credentials (machine-to-machine). */
  | 'client_credentials'
  /** Enterprise-managed authorization: RFC 8693 token exchange at the IdP, then RFC 7523 JWT bearer at the AS. */
  | 'token_exchange'
  /** RFC 7523 §2.1 JWT bearer grant with a caller-supplied assertion (workload identity federation). */
  | 'jwt_bearer';

/** RFC 7591 §2 `token_endpoint_auth_method` values the engine can use. */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** Enterprise IdP inputs for `grant: 'token_exchange'` (RFC 8693 + RFC 7523, "identity assertion" flow). */
export interface EnterpriseIdpOptions {
  /** The IdP's token endpoint (RFC 8693 token exchange happens there). */
  tokenEndpoint: string;
  /** Expected IdP issuer (informational; the id token is not validated by the client). */
  issuer?: string;
  clientId: string;
  clientSecret?: string;
  /** The user's ID token from the IdP (the subject token of the exchange). */
  idToken: string;
}

/** Per-server OAuth options (from settings / CLI flags). All optional; defaults follow the MCP spec. */
export interface OAuthServerOptions {
  /** Pre-registered client id (MCP 2025-11-25 §Client Registration Approaches, highest priority). */
  clientId?: string;
  /**
   * The issuer the pre-registered client belongs to (RFC 8414 §2 `issuer`). Its credentials are only
   * ever presented to this authorization server; without it the engine pins the issuer of the first
   * successful sign-in (see clientIssuerPin.ts).
   */
  issuer?: string;
  /** Pre-registered client secret (confidential client). Never logged. */
  clientSecret?: string;
  /** How the client authenticates at the token endpoint. Default: `client_secret_basic` with a secret, else `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** PEM (PKCS#8) private key for `private_key_jwt` (RFC 7523 §2.2). Never logged. */
  privateKeyPem?: string;
  /** JWS algorithm for `private_key_jwt`, default `RS256` (or inferred from the key). */
  signingAlgorithm?: string;
  /** Scopes to request instead of the spec's selection (challenge scope, else PRM `scopes_supported`). */
  scopes?: string[];
  /**
   * `require` (default): refuse when the AS metadata lacks `code_challenge_methods_supported` (MCP
   * 2025-11-25 §Authorization Code Protection). `assume-s256`: explicit per-server override.
   */
  pkce?: 'require' | 'assume-s256';
  /** RFC 8707 `resource` (default), `audience` (Auth0-style) or `omit` (Entra-style v2 endpoints). */
  resourceParameter?: 'resource' | 'audience' | 'omit';
  /** Value for the `audience` parameter; defaults to the PRM `resource`. */
  audience?: string;
  /**
   * DPoP-bound tokens (RFC 9449), opt-in. Default (undefined / false): Bearer, even when the AS offers
   * DPoP. `true`: require DPoP (`dpop_failed` when the AS does not advertise a usable
   * `dpop_signing_alg_values_supported`). `'auto'`: DPoP when the AS advertises a usable alg, else Bearer.
   */
  dpop?: boolean | 'auto';
  /** Ask for `offline_access` when the AS advertises it (default true). */
  offlineAccess?: boolean;
  grant?: OAuthGrantKind;
  /** For `grant: 'jwt_bearer'`: the assertion to present (RFC 7523 §2.1). Never logged. */
  assertion?: string;
  /** For `grant: 'token_exchange'`. */
  enterprise?: EnterpriseIdpOptions;
}

/** A server the engine authorizes requests for. `id` keys the grant in the SecretStore. */
export interface OAuthServer {
  id: string;
  /** The MCP endpoint URL (Streamable HTTP / SSE). */
  url: string;
  options?: OAuthServerOptions;
}

/** Asked before widening scopes on `403 insufficient_scope` (MCP 2025-11-25 §Scope Challenge Handling). */
export type StepUpConsent = (req: { serverId: string; granted: string[]; requested: string[] }) => Promise<boolean>;

/** What a grant looks like to the UI. Never contains token values. */
export interface GrantSummary {
  serverId: string;
  issuer: string;
  /** The RFC 8707 resource the token is bound to (exactly as the PRM publishes it). */
  resource: string;
  /** OAuth client id, or the CIMD URL when a Client ID Metadata Document was used. */
  clientId: string;
  /** How the client was obtained. */
  clientKind: 'preregistered' | 'cimd' | 'dynamic';
  subject?: string;
  displayName?: string;
  /** Scopes the token actually carries (token response `scope`, else JWT `scope`/`scp`, else requested). */
  grantedScopes: string[];
  requestedScopes: string[];
  /** Epoch milliseconds. */
  expiresAt?: number;
  tokenType: 'Bearer' | 'DPoP';
  hasRefreshToken: boolean;
  grant: OAuthGrantKind;
}

export interface OAuthEngineOptions {
  secrets: SecretStore;
  logger: Logger;
  clock?: Clock;
  /** Opens the authorization URL (already allowlisted). Headless callers may fetch it instead. */
  opener: BrowserOpener;
  fetch?: typeof fetch;
  /** Without it, step-up is refused (`step_up_refused`). */
  consent?: StepUpConsent;
  /** How long the loopback listener waits for the redirect. Default 5 minutes. */
  redirectTimeoutMs?: number;
  /** `client_name` for dynamic registration. */
  clientName?: string;
  /** HTTPS URL of this client's Client ID Metadata Document (CIMD); used when the AS advertises support. */
  clientMetadataUrl?: string;
  /** Aborts every pending sign-in when fired (e.g. extension deactivation). */
  signal?: AbortSignal;
  /** Refresh this long before expiry. Default 60 s. */
  refreshSkewMs?: number;
  /** Time bound of each token, refresh, revocation, registration and token-exchange exchange. Default 30 s. */
  requestTimeoutMs?: number;
}

/**
 * The persisted grant (JSON in the SecretStore under `mcpSecure.oauth.grant.<serverId>`). It is bound
 * to what it was issued for — `serverUrl`, `issuer` and the client — and is only used while the
 * server's definition still matches (see grantBinding.ts).
 */
export interface StoredGrant {
  version: 1;
  serverId: string;
  serverUrl: string;
  issuer: string;
  resource: string;
  clientId: string;
  clientKind: GrantSummary['clientKind'];
  grant: OAuthGrantKind;
  accessToken: string;
  refreshToken?: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresAt?: number;
  /** When the access token was obtained (epoch ms): with `expiresAt`, its lifetime (scales the refresh skew). */
  issuedAt?: number;
  grantedScopes: string[];
  requestedScopes: string[];
  subject?: string;
  displayName?: string;
  /** DPoP key pair as JWKs (private), so a DPoP-bound grant survives a restart. */
  dpopJwk?: { privateKey: JsonWebKey; publicKey: JsonWebKey };
  /** Discovered by the 2025-03-26 rules (AS at the server origin). */
  legacyDiscovery?: boolean;
}
