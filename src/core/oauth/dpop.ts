/**
 * DPoP (RFC 9449) key handling: a per-grant key pair, exportable as JWK so a DPoP-bound grant survives
 * a restart, wrapped in openid-client's DPoP handle (which signs proofs and tracks server nonces).
 */
import * as oidc from 'openid-client';
import { McpSecureError } from '../errors';

/** The runtime surface of oauth4webapi's DPoP handle we use for resource-server requests. */
interface DpopHandleInternals {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>;
  cacheNonce(response: { headers: Headers }, url: URL): void;
}

export interface DpopKey {
  handle: oidc.DPoPHandle;
  jwk: { privateKey: JsonWebKey; publicKey: JsonWebKey };
}

const importParams = (alg: string): EcKeyImportParams | RsaHashedImportParams | Algorithm =>
  alg === 'ES256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : alg === 'EdDSA'
      ? { name: 'Ed25519' }
      : alg === 'PS256'
        ? ({ name: 'RSA-PSS', hash: 'SHA-256' } as RsaHashedImportParams)
        : ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as RsaHashedImportParams);

/** Fresh key pair for `alg`. */
export async function createDpopKey(config: oidc.Configuration, alg: string): Promise<DpopKey> {
  const pair = await oidc.randomDPoPKeyPair(alg, { extractable: true });
  const jwk = {
    privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey),
    publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey),
  };
  return { handle: oidc.getDPoPHandle(config, pair), jwk };
}

/** Restore a persisted key pair. */
export async function restoreDpopKey(config: oidc.Configuration, jwk: DpopKey['jwk']): Promise<DpopKey> {
  const alg =
    jwk.privateKey.kty === 'EC' ? 'ES256' : jwk.privateKey.kty === 'OKP' ? 'EdDSA' : (jwk.privateKey.alg ?? 'RS256');
  try {
    const privateKey = await crypto.subtle.importKey('jwk', jwk.privateKey, importParams(alg), false, ['sign']);
    const publicKey = await crypto.subtle.importKey('jwk', jwk.publicKey, importParams(alg), true, ['verify']);
    return { handle: oidc.getDPoPHandle(config, { privateKey, publicKey }), jwk };
  } catch (cause) {
    throw new McpSecureError('dpop_failed', 'The stored DPoP key could not be restored.', { cause });
  }
}

/** RFC 9449 §7.1: the `DPoP` proof header for a resource request bound to `accessToken` (`ath`). */
export async function dpopProofFor(
  handle: oidc.DPoPHandle,
  url: URL,
  method: string,
  accessToken: string,
): Promise<string> {
  const headers = new Headers();
  try {
    await (handle as unknown as DpopHandleInternals).addProof(url, headers, method.toUpperCase(), accessToken);
  } catch (cause) {
    throw new McpSecureError('dpop_failed', 'Could not create a DPoP proof.', { cause });
  }
  const proof = headers.get('dpop');
  if (!proof) throw new McpSecureError('dpop_failed', 'Could not create a DPoP proof.');
  return proof;
}

/** RFC 9449 §9: remember a resource server's `DPoP-Nonce` for the next proof to its origin. */
export function rememberDpopNonce(handle: oidc.DPoPHandle, url: URL, headers: Headers): boolean {
  if (!headers.get('dpop-nonce')) return false;
  (handle as unknown as DpopHandleInternals).cacheNonce({ headers }, url);
  return true;
}
