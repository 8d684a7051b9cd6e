/**
 * "Check Server Security": runs, against one HTTP MCP server, every check the OAuth engine makes before
 * and after a sign-in, with the engine's own discovery and validation functions (PRM, AS metadata,
 * issuer equality, PKCE, URL policy) — so the report says exactly what a sign-in would accept or refuse.
 * Nothing is registered, no sign-in is started and no token is sent: the only requests are an
 * unauthenticated probe of the MCP endpoint and the public metadata documents.
 */
import { McpSecureError, isMcpSecureError } from '../errors';
import {
  type AuthServerMetadata,
  type DiscoveredAuthServer,
  discoverAuthServer,
  discoverLegacyAuthServer,
} from '../oauth/authServerMetadata';
import { SECURITY_CHECK_CLIENT_INFO, STATEFUL_PROTOCOL_VERSION } from '../mcp/protocolVersions';
import { assertPkceS256 } from '../oauth/authorizationCodeFlow';
import { chooseIssuer } from '../oauth/clientIssuerPin';
import { type FetchLike, METADATA_TIMEOUT_MS, boundedFetch } from '../oauth/httpJson';
import { chooseDpopAlg } from '../oauth/openidConfig';
import { type ProtectedResourceMetadata, discoverProtectedResource } from '../oauth/protectedResourceMetadata';
import type { OAuthServer } from '../oauth/types';
import { type UrlPolicy, isLoopbackHost, urlPolicyFor } from '../common/urlPolicy';
import { challengeParams } from '../oauth/wwwAuthenticate';
import { type Finding, type Observation, type SecurityReport, buildReport, finding, skipped } from './securityReport';
import { type GrantEvidence, grantFindings } from './grantChecks';

export type { GrantEvidence } from './grantChecks';

export interface SecurityCheckInput {
  readonly server: OAuthServer;
  readonly fetch?: FetchLike;
  /** What the stored grant says (never a token), when signed in. */
  readonly grant?: GrantEvidence;
  /** This client's CIMD URL, as the engine would use it. */
  readonly clientMetadataUrl?: string;
  readonly signal?: AbortSignal;
  readonly now?: Date;
}

/** An observation of a typed failure (its code and public message), or a generic one. */
export function errorObservation(err: unknown): Observation {
  return { label: 'Error', value: isMcpSecureError(err) ? `${err.code}: ${err.message}` : 'the request failed' };
}

/** Run every check; see the module comment. Throws `cancelled` when `signal` fires. */
export async function checkServerSecurity(input: SecurityCheckInput): Promise<SecurityReport> {
  const { server } = input;
  const fetchImpl = input.fetch ?? ((i, init) => fetch(i, init));
  const findings: Finding[] = [];
  const done = (): SecurityReport => buildReport(server.id, server.url, input.now ?? new Date(), findings);
  let policy: UrlPolicy;
  try {
    policy = urlPolicyFor(server.url);
    findings.push(tlsFinding(new URL(server.url)));
  } catch (err) {
    findings.push(
      finding(
        'tls',
        'fail',
        'The server URL is refused: only https, or http on this machine, is allowed.',
        [errorObservation(err)],
        'Serve the MCP endpoint over https.',
      ),
    );
    return done();
  }
  const serverUrl = new URL(server.url);
  const challenge = await probeChallenge(fetchImpl, serverUrl, policy, input.signal);
  findings.push(challenge.finding);
  const prm = await checkProtectedResource(fetchImpl, serverUrl, challenge.resourceMetadataUrl, input.signal);
  findings.push(...prm.findings);
  const as = await checkAuthServer(fetchImpl, server, serverUrl, policy, prm, input.signal);
  findings.push(...as.findings);
  findings.push(...metadataFindings(as.discovered?.metadata, server, input.clientMetadataUrl));
  findings.push(
    ...grantFindings(input.grant, {
      metadata: as.discovered?.metadata,
      resource: prm.prm?.resource ?? server.url,
      now: (input.now ?? new Date()).getTime(),
    }),
  );
  throwIfCancelled(input.signal);
  return done();
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new McpSecureError('cancelled', 'The security check was cancelled.');
}

/** MCP §Communication Security: https everywhere; http only on loopback, for local development. */
function tlsFinding(url: URL): Finding {
  if (url.protocol === 'https:')
    return finding('tls', 'pass', 'The MCP endpoint is served over https.', [{ label: 'Origin', value: url.origin }]);
  return finding(
    'tls',
    isLoopbackHost(url.hostname) ? 'warn' : 'fail',
    'The MCP endpoint uses plain http on this machine: acceptable for local development only.',
    [{ label: 'Origin', value: url.origin }],
    'Serve the endpoint over https before anyone else uses it.',
  );
}

/**
 * An unauthenticated initialize request: a protected MCP server answers 401 with a Bearer challenge
 * that should name its PRM (`resource_metadata`, RFC 9728 §5.1). Nothing but the public probe is sent.
 */
async function probeChallenge(
  fetchImpl: FetchLike,
  url: URL,
  policy: UrlPolicy,
  signal?: AbortSignal,
): Promise<{ finding: Finding; resourceMetadataUrl?: string }> {
  const bounded = boundedFetch(fetchImpl, { what: 'MCP server response', policy, timeoutMs: METADATA_TIMEOUT_MS });
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: STATEFUL_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: SECURITY_CHECK_CLIENT_INFO,
    },
  });
  let response: Response;
  try {
    response = await bounded(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body,
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    throwIfCancelled(signal);
    return {
      finding: finding(
        'challenge',
        'fail',
        'The MCP endpoint could not be reached.',
        [errorObservation(err)],
        'Check the URL and that the server is running.',
      ),
    };
  }
  await response.body?.cancel().catch(() => undefined);
  const status: Observation = { label: 'HTTP status', value: String(response.status) };
  if (response.status !== 401) {
    return {
      finding: finding(
        'challenge',
        'warn',
        'The endpoint answered an unauthenticated request without a 401: it may not require authorization at all.',
        [status],
        'If the server holds anything private, require a Bearer token and answer 401 with a WWW-Authenticate challenge.',
      ),
    };
  }
  const params = challengeParams(response.headers);
  const metadataUrl = params.resource_metadata;
  const observed = [
    status,
    ...(metadataUrl ? [{ label: 'resource_metadata', value: metadataUrl }] : []),
    ...(params.scope ? [{ label: 'scope', value: params.scope }] : []),
  ];
  if (metadataUrl)
    return {
      finding: finding(
        'challenge',
        'pass',
        'The server answers 401 with a challenge naming its protected resource metadata.',
        observed,
      ),
      resourceMetadataUrl: metadataUrl,
    };
  return {
    finding: finding(
      'challenge',
      'warn',
      'The 401 challenge does not name the protected resource metadata; clients must guess the well-known URLs.',
      observed,
      'Add resource_metadata="<PRM URL>" to the WWW-Authenticate header.',
    ),
  };
}

interface PrmStep {
  readonly findings: Finding[];
  readonly prm?: ProtectedResourceMetadata;
  readonly failed: boolean;
}

/** RFC 9728 discovery exactly as a sign-in runs it, including the `resource` check (RFC 9728 §3.3). */
async function checkProtectedResource(
  fetchImpl: FetchLike,
  url: URL,
  resourceMetadataUrl: string | undefined,
  signal?: AbortSignal,
): Promise<PrmStep> {
  let prm: ProtectedResourceMetadata | undefined;
  try {
    prm = await discoverProtectedResource(fetchImpl, url, { resourceMetadataUrl, signal });
  } catch (err) {
    throwIfCancelled(signal);
    if (isMcpSecureError(err, 'resource_mismatch')) {
      return {
        failed: true,
        findings: [
          finding('prm', 'pass', 'Protected resource metadata was found.'),
          finding(
            'resource',
            'fail',
            'The metadata names a resource other than this server: a token for it would not be bound to this server, so sign-in is refused.',
            [errorObservation(err)],
            'Publish the canonical URI of this MCP server as "resource".',
          ),
        ],
      };
    }
    return {
      failed: true,
      findings: [
        finding(
          'prm',
          'fail',
          'The protected resource metadata is unusable, so sign-in is refused.',
          [errorObservation(err)],
          'Serve a valid RFC 9728 JSON document with "resource" and "authorization_servers".',
        ),
        skipped('resource', 'No usable protected resource metadata.'),
      ],
    };
  }
  if (!prm) {
    return {
      failed: false,
      findings: [
        finding(
          'prm',
          'fail',
          "No protected resource metadata: clients fall back to the deprecated 2025-03-26 rules (authorization server at the MCP server's origin).",
          [{ label: 'Tried', value: url.origin + '/.well-known/oauth-protected-resource' }],
          'Publish RFC 9728 metadata (MCP 2025-11-25 requires it).',
        ),
        finding(
          'resource',
          'warn',
          'Without protected resource metadata the token is bound to the server URL itself.',
          [{ label: 'Resource', value: url.href }],
        ),
      ],
    };
  }
  const where =
    resourceMetadataUrl && prm.metadataUrl === new URL(resourceMetadataUrl).href
      ? 'from the WWW-Authenticate challenge'
      : 'at a well-known URL';
  return {
    failed: false,
    prm,
    findings: [
      finding('prm', 'pass', `Found ${where}.`, [
        { label: 'URL', value: prm.metadataUrl },
        ...prm.authorizationServers.map((a) => ({ label: 'Authorization server', value: a })),
        ...(prm.scopesSupported ? [{ label: 'scopes_supported', value: prm.scopesSupported.join(' ') }] : []),
      ]),
      finding(
        'resource',
        'pass',
        'The metadata\'s "resource" identifies this server (same origin, path prefix): tokens are requested for it.',
        [{ label: 'Resource', value: prm.resource }],
      ),
    ],
  };
}

interface AsStep {
  readonly findings: Finding[];
  readonly discovered?: DiscoveredAuthServer;
}

/** RFC 8414 discovery in MCP order with the exact issuer check, for the issuer a sign-in would choose. */
async function checkAuthServer(
  fetchImpl: FetchLike,
  server: OAuthServer,
  url: URL,
  policy: UrlPolicy,
  prm: PrmStep,
  signal?: AbortSignal,
): Promise<AsStep> {
  if (prm.failed)
    return {
      findings: [
        skipped('asMetadata', 'Needs usable protected resource metadata.'),
        skipped('issuer', 'Needs authorization server metadata.'),
      ],
    };
  let discovered: DiscoveredAuthServer;
  try {
    if (prm.prm) {
      const issuer = chooseIssuer(server, prm.prm.authorizationServers, server.options?.issuer);
      if (!issuer)
        throw new McpSecureError('discovery_failed', 'The protected resource metadata lists no authorization server.');
      discovered = await discoverAuthServer(fetchImpl, issuer, { policy, signal });
    } else {
      discovered = await discoverLegacyAuthServer(fetchImpl, url, { signal });
    }
  } catch (err) {
    throwIfCancelled(signal);
    const issuerWrong = isMcpSecureError(err, 'issuer_mismatch') || isMcpSecureError(err, 'client_issuer_mismatch');
    return {
      findings: [
        issuerWrong
          ? finding('asMetadata', 'pass', 'Authorization server metadata was found.')
          : finding(
              'asMetadata',
              'fail',
              'No usable authorization server metadata, so sign-in is refused.',
              [errorObservation(err)],
              'Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (or OpenID configuration) for the issuer.',
            ),
        issuerWrong
          ? finding(
              'issuer',
              'fail',
              'The metadata names a different issuer than the one it was discovered for (mix-up risk), so sign-in is refused.',
              [errorObservation(err)],
              'Make "issuer" identical to the issuer URL listed in authorization_servers.',
            )
          : skipped('issuer', 'Needs authorization server metadata.'),
      ],
    };
  }
  const { metadata, source } = discovered;
  if (source === 'default-endpoints') {
    return {
      discovered,
      findings: [
        finding(
          'asMetadata',
          'warn',
          "No metadata at the server's origin: the 2025-03-26 default endpoints (/authorize, /token, /register) are assumed.",
          [{ label: 'Issuer', value: metadata.issuer }],
          'Publish RFC 8414 metadata.',
        ),
        skipped('issuer', 'No metadata document to compare.'),
      ],
    };
  }
  return {
    discovered,
    findings: [
      finding('asMetadata', 'pass', 'Found and valid; every endpoint passed the URL policy.', [
        { label: 'URL', value: source },
      ]),
      finding('issuer', 'pass', 'The metadata\'s "issuer" is identical to the issuer it was discovered for.', [
        { label: 'Issuer', value: metadata.issuer },
      ]),
    ],
  };
}

/** Checks that read the authorization server metadata alone. */
function metadataFindings(
  metadata: AuthServerMetadata | undefined,
  server: OAuthServer,
  clientMetadataUrl: string | undefined,
): Finding[] {
  if (!metadata)
    return (['pkce', 'iss', 'registration', 'dpop', 'revocation'] as const).map((id) =>
      skipped(id, 'Needs authorization server metadata.'),
    );
  return [
    pkceFinding(metadata, server),
    issFinding(metadata),
    registrationFinding(metadata, server, clientMetadataUrl),
    dpopFinding(metadata, server),
    revocationFinding(metadata),
  ];
}

function pkceFinding(metadata: AuthServerMetadata, server: OAuthServer): Finding {
  const methods = metadata.code_challenge_methods_supported;
  const observed = [{ label: 'code_challenge_methods_supported', value: methods ? methods.join(' ') : '(absent)' }];
  try {
    assertPkceS256(metadata, 'require');
    return finding('pkce', 'pass', 'S256 is advertised: the authorization code is bound to this client.', observed);
  } catch (err) {
    const overridden = server.options?.pkce === 'assume-s256';
    return finding(
      'pkce',
      overridden ? 'warn' : 'fail',
      overridden
        ? 'S256 is not advertised; this server\'s "pkce": "assume-s256" override lets sign-in proceed anyway.'
        : 'S256 is not advertised, so sign-in is refused (an intercepted code could be redeemed by someone else).',
      [...observed, errorObservation(err)],
      'Advertise code_challenge_methods_supported: ["S256"] in the authorization server metadata.',
    );
  }
}

function issFinding(metadata: AuthServerMetadata): Finding {
  const value = metadata.authorization_response_iss_parameter_supported;
  const observed = [{ label: 'iss support advertised', value: value === undefined ? '(absent)' : String(value) }];
  if (value === true)
    return finding(
      'iss',
      'pass',
      'Authorization responses carry "iss"; the client checks it (mix-up defence).',
      observed,
    );
  return finding(
    'iss',
    'warn',
    'Authorization responses are not declared to carry "iss": a mix-up attack between authorization servers is harder to detect.',
    observed,
    'Return "iss" in authorization responses and set authorization_response_iss_parameter_supported to true in the metadata.',
  );
}

function registrationFinding(
  metadata: AuthServerMetadata,
  server: OAuthServer,
  clientMetadataUrl: string | undefined,
): Finding {
  const cimd = metadata.client_id_metadata_document_supported === true;
  const dcr = typeof metadata.registration_endpoint === 'string';
  const observed: Observation[] = [
    { label: 'client_id_metadata_document_supported', value: String(cimd) },
    { label: 'registration_endpoint', value: metadata.registration_endpoint ?? '(absent)' },
  ];
  if (server.options?.clientId)
    return finding(
      'registration',
      'pass',
      'A pre-registered client is configured for this server (highest priority).',
      [{ label: 'client_id', value: server.options.clientId }, ...observed],
    );
  if (cimd && clientMetadataUrl)
    return finding(
      'registration',
      'pass',
      "Client ID Metadata Documents are supported: this client's metadata URL is its client id.",
      observed,
    );
  if (cimd)
    return finding(
      'registration',
      'pass',
      'Client ID Metadata Documents are supported (set mcpSecure.clientMetadataUrl to use one); otherwise dynamic registration.',
      observed,
    );
  if (dcr)
    return finding(
      'registration',
      'pass',
      'Dynamic client registration is offered (a client is registered at the first sign-in).',
      observed,
    );
  return finding(
    'registration',
    'fail',
    'No pre-registered client, no Client ID Metadata Document support and no registration endpoint: sign-in cannot obtain a client.',
    observed,
    'Support Client ID Metadata Documents or RFC 7591 registration, or configure a pre-registered "oauth.clientId".',
  );
}

function dpopFinding(metadata: AuthServerMetadata, server: OAuthServer): Finding {
  const algs = metadata.dpop_signing_alg_values_supported;
  const observed = [{ label: 'dpop_signing_alg_values_supported', value: algs?.length ? algs.join(' ') : '(absent)' }];
  const usable = chooseDpopAlg(metadata, { dpop: 'auto' });
  if (usable && server.options?.dpop)
    return finding('dpop', 'pass', `DPoP is enabled for this server: tokens are bound to a key (${usable}).`, observed);
  if (usable)
    return finding(
      'dpop',
      'pass',
      `DPoP is offered (${usable}); it is off for this server because many resource servers accept plain access tokens only.`,
      observed,
      'Turn on "oauth.dpop" in the server definition if the MCP server accepts DPoP-bound tokens.',
    );
  return finding(
    'dpop',
    'warn',
    'No usable algorithm for DPoP is advertised: anyone who obtains an access token can use it.',
    observed,
    "Offer DPoP (RFC 9449) so access tokens are bound to the client's key.",
  );
}

function revocationFinding(metadata: AuthServerMetadata): Finding {
  const endpoint = metadata.revocation_endpoint;
  if (endpoint)
    return finding(
      'revocation',
      'pass',
      'A revocation endpoint is advertised: signing out revokes the tokens at the server.',
      [{ label: 'revocation_endpoint', value: endpoint }],
    );
  return finding(
    'revocation',
    'warn',
    'No revocation endpoint: signing out only deletes the tokens here; they stay valid at the server until they expire.',
    [{ label: 'revocation_endpoint', value: '(absent)' }],
    'Offer RFC 7009 revocation and advertise revocation_endpoint.',
  );
}
