import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Shared secrets for stdio MCP servers. The secret reaches the server only through its environment
 * and comes back from the client only inside the `initialize` handshake (`clientInfo.secret`).
 */

/** Bytes of CSPRNG output in a secret: 256 bits. */
export const SHARED_SECRET_BYTES = 32;

/** A fresh shared secret: 32 bytes from the OS CSPRNG, base64url (43 characters). */
export function generateSharedSecret(): string {
  return randomBytes(SHARED_SECRET_BYTES).toString('base64url');
}

/**
 * A public fingerprint for display and audit: `sha256:` + the first 16 hex digits of SHA-256(secret).
 * 64 bits identify a secret without helping anyone guess a 256-bit one.
 */
export function secretFingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)}`;
}

/** Constant-time equality of two secrets (hashes first so lengths never leak). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
