/**
 * Builds the openid-client v6 `Configuration` for an AS + client from metadata we already discovered
 * and validated (our own discovery implements the MCP path-insertion order and size limits), with the
 * engine's injectable fetch. DPoP handles are created here too (RFC 9449).
 */
import { createPrivateKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { AuthServerMetadata } from './authServerMetadata';
import type { RegisteredClient } from './clientRegistration';
import type { FetchLike } from './httpJson';
import type { OAuthServerOptions } from './types';

/** openid-client client authentication for a registered client. */
export async function clientAuthFor(client: RegisteredClient, options: OAuthServerOptions): Promise<oidc.ClientAuth> {
  switch (client.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return clientSecretBasic(client.clientId, client.clientSecret ?? '');
    case 'client_secret_post':
      return oidc.ClientSecretPost(client.clientSecret);
    case 'private_key_jwt': {
      if (!options.privateKeyPem)
        throw new McpSecureError('token_request_failed', 'private_key_jwt needs a private key.');
      let key: CryptoKey;
      try {
        const alg = options.signingAlgorithm ?? inferAlg(options.privateKeyPem);
        key = (await importPKCS8(options.privateKeyPem, alg)) as CryptoKey;
      } catch (cause) {
        throw new McpSecureError('token_request_failed', 'The configured private key could not be read.', { cause });
      }
      return oidc.PrivateKeyJwt({ key }, {});
    }
    default:
      return oidc.None();
  }
}

/** RFC 6749 Appendix B form-urlencoding (WHATWG serializer: `-._*` and alphanumerics stay as is). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * RFC 6749 §2.3.1 HTTP Basic client authentication. oauth4webapi also percent-encodes unreserved
 * characters such as `-`, which servers that do not form-decode the pair (several in the wild, and
 * the conformance mock) reject; the WHATWG form serializer leaves them alone and is equally valid.
 */
function clientSecretBasic(clientId: string, clientSecret: string): oidc.ClientAuth {
  const credentials = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
  return (_as, _client, _body, headers) => {
    headers.set('authorization', `Basic ${credentials}`);
  };
}

/** An openid-client Configuration over validated metadata, using the engine's fetch. */
export async function buildConfiguration(
  metadata: AuthServerMetadata,
  client: RegisteredClient,
  options: OAuthServerOptions,
  fetchImpl: FetchLike,
): Promise<oidc.Configuration> {
  const config = new oidc.Configuration(
    metadata as oidc.ServerMetadata,
    client.clientId,
    { token_endpoint_auth_method: client.tokenEndpointAuthMethod },
    await clientAuthFor(client, options),
  );
  config[oidc.customFetch] = (url, init) => fetchImpl(url, init as RequestInit);
  // Every endpoint already passed the URL allowlist (https, or http on loopback only), so plain
  // http here can only be a loopback AS (local development and the test fixtures).
  const endpoints = [
    metadata.token_endpoint,
    metadata.authorization_endpoint,
    metadata.revocation_endpoint,
    metadata.issuer,
  ];
  if (endpoints.some((e) => typeof e === 'string' && e.startsWith('http:'))) oidc.allowInsecureRequests(config);
  return config;
}

/** Algorithms we can sign DPoP proofs with, in preference order. */
const DPOP_ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256'];

/**
 * The DPoP alg to use with this AS, or undefined for Bearer tokens (RFC 9449 §5.1). DPoP is opt-in:
 * `dpop: true` demands it (dpop_failed when the AS does not offer a usable alg), `dpop: 'auto'` uses it
 * when the AS advertises a usable alg, anything else (the default) never uses it — many resource
 * servers accept only Bearer tokens, even behind an AS that offers DPoP.
 */
export function chooseDpopAlg(metadata: AuthServerMetadata, options: OAuthServerOptions): string | undefined {
  if (options.dpop !== true && options.dpop !== 'auto') return undefined;
  const advertised = metadata.dpop_signing_alg_values_supported ?? [];
  const alg = DPOP_ALGS.find((a) => advertised.includes(a));
  if (alg || options.dpop === 'auto') return alg;
  throw new McpSecureError(
    'dpop_failed',
    advertised.length
      ? 'The authorization server advertises no DPoP algorithm this client supports.'
      : 'DPoP was requested but the authorization server does not advertise it.',
  );
}

/** RFC 7518 §3.1 alg for a PEM private key when none is configured. */
function inferAlg(pem: string): string {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType === 'ec') {
    const curve = k.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  if (k.asymmetricKeyType === 'ed25519') return 'EdDSA';
  return 'RS256';
}
