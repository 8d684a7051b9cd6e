/**
 * RFC 8414 authorization-server metadata discovery in the order MCP 2025-11-25 §Authorization Server
 * Metadata Discovery prescribes (OAuth with path insertion, then OpenID Connect with path insertion,
 * then OIDC path appending), with the RFC 8414 §3.3 exact `issuer` check, plus the 2025-03-26
 * back-compat rules (metadata at the MCP server's origin; default `/authorize` `/token` `/register`).
 */
import { McpSecureError } from '../errors';
import { safeText } from '../common/safeText';
import type { Logger } from '../ports';
import { type FetchLike, fetchJsonDocument, optionalString, optionalStringArray } from './httpJson';
import { type UrlPolicy, urlPolicyFor } from '../common/urlPolicy';

/** The RFC 8414 §2 members the engine uses (the raw document is kept for openid-client). */
export interface AuthServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  registration_endpoint?: string;
  revocation_endpoint?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  grant_types_supported?: string[];
  dpop_signing_alg_values_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  client_id_metadata_document_supported?: boolean;
  [key: string]: unknown;
}

export interface DiscoveredAuthServer {
  metadata: AuthServerMetadata;
  /** Where the metadata came from; `default-endpoints` for the 2025-03-26 fallback. */
  source: string;
}

/** Candidate metadata URLs for an issuer, in MCP order. */
export function asMetadataCandidateUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '');
  const origin = issuer.origin;
  if (!path) {
    return [
      new URL('/.well-known/oauth-authorization-server', origin),
      new URL('/.well-known/openid-configuration', origin),
    ];
  }
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, origin),
    new URL(`/.well-known/openid-configuration${path}`, origin),
    new URL(`${path}/.well-known/openid-configuration`, origin),
  ];
}

const URL_MEMBERS = [
  'authorization_endpoint',
  'token_endpoint',
  'registration_endpoint',
  'revocation_endpoint',
  'jwks_uri',
];

/**
 * Validate a metadata document: types, exact issuer (RFC 8414 §3.3), and every endpoint URL against
 * the MCP server's URL policy (scheme; no loopback endpoints behind a remote server).
 */
export function validateAuthServerMetadata(
  doc: Record<string, unknown>,
  expectedIssuer: string,
  policy: UrlPolicy,
): AuthServerMetadata {
  const what = 'authorization server metadata';
  const issuer = optionalString(doc, 'issuer', what);
  if (!issuer) throw new McpSecureError('invalid_metadata', 'The authorization server metadata has no "issuer".');
  // RFC 8414 §3.3: "The issuer value returned MUST be identical to the authorization server's issuer
  // identifier value" — simple string comparison, no normalisation.
  if (issuer !== expectedIssuer) {
    throw new McpSecureError(
      'issuer_mismatch',
      `The authorization server metadata at ${expectedIssuer} names the issuer "${safeText(issuer, 200)}" instead (RFC 8414 §3.3 requires them to be identical); ` +
        'the server is misconfigured (or the metadata was replaced), so sign-in is refused.',
    );
  }
  for (const key of URL_MEMBERS) {
    const v = optionalString(doc, key, what);
    if (v !== undefined) policy.check(v, `authorization server ${key.replace(/_/g, ' ')}`);
  }
  for (const key of [
    'scopes_supported',
    'code_challenge_methods_supported',
    'token_endpoint_auth_methods_supported',
    'grant_types_supported',
    'dpop_signing_alg_values_supported',
  ]) {
    optionalStringArray(doc, key, what);
  }
  return doc as AuthServerMetadata;
}

/**
 * Fetch and validate the metadata of `issuer` (an entry of PRM `authorization_servers`) under the
 * MCP server's URL policy.
 * Throws `discovery_failed` when no candidate answers.
 */
export async function discoverAuthServer(
  fetchImpl: FetchLike,
  issuer: string,
  opts: { policy: UrlPolicy; signal?: AbortSignal; logger?: Logger },
): Promise<DiscoveredAuthServer> {
  const { policy } = opts;
  const issuerUrl = policy.check(issuer, 'authorization server issuer');
  for (const url of asMetadataCandidateUrls(issuerUrl)) {
    const res = await fetchJsonDocument(fetchImpl, url, 'authorization server metadata', {
      policy,
      signal: opts.signal,
    });
    opts.logger?.debug(`AS metadata ${url.href} -> ${res.status}`);
    if (res.body) return { metadata: validateAuthServerMetadata(res.body, issuer, policy), source: url.href };
  }
  throw new McpSecureError('discovery_failed', `No authorization server metadata found for ${issuerUrl.origin}.`);
}

/**
 * MCP 2025-03-26 §Server Metadata Discovery + §Fallbacks: without PRM, the authorization base URL is
 * the MCP server's origin; use its RFC 8414 metadata if present, else the default endpoints.
 */
export async function discoverLegacyAuthServer(
  fetchImpl: FetchLike,
  serverUrl: URL,
  opts: { signal?: AbortSignal; logger?: Logger } = {},
): Promise<DiscoveredAuthServer> {
  const issuer = serverUrl.origin;
  const policy = urlPolicyFor(serverUrl);
  for (const url of asMetadataCandidateUrls(new URL(issuer))) {
    const res = await fetchJsonDocument(fetchImpl, url, 'authorization server metadata', {
      policy,
      signal: opts.signal,
    });
    opts.logger?.debug(`legacy AS metadata ${url.href} -> ${res.status}`);
    if (res.body) return { metadata: validateAuthServerMetadata(res.body, issuer, policy), source: url.href };
  }
  return {
    source: 'default-endpoints',
    metadata: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      registration_endpoint: `${issuer}/register`,
      response_types_supported: ['code'],
      // The 2025-03-26 revision mandated PKCE S256 for every client; the fallback implies it.
      code_challenge_methods_supported: ['S256'],
    },
  };
}
