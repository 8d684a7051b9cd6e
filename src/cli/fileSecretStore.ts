import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { withFileLock } from '../core/audit/fileLock';
import { McpSecureError, isMcpSecureError } from '../core/errors';
import type { SecretStore } from '../core/ports';
import { Sequencer } from '../core/common/async';
import { Emitter } from '../core/common/event';

/**
 * An encrypted secret store in one file, for the CLI's `--store file:<path>`.
 *
 * - AES-256-GCM (NIST SP 800-38D) over the whole key→value map, a fresh 96-bit IV per write, and the
 *   format header bound as additional authenticated data, so any edit (header or body) fails to decrypt.
 * - The key is 32 raw bytes given with an explicit prefix (`hex:<64 hex>` or `base64:<base64/base64url>`)
 *   and used as is; anything else is a passphrase of at least 16 characters stretched with scrypt
 *   (RFC 7914) under a per-file random salt — a 43-character passphrase is never mistaken for a key.
 *   Stores written before the prefix existed with an unprefixed raw key fail with a typed error that
 *   says to add the prefix (nothing is reinterpreted silently).
 * - Plaintext is refused: a file that is not this format, or that does not authenticate, is an error;
 *   it is never overwritten, so nothing is lost by a wrong key.
 * - Writes go to a temp file (mode 0600) that is renamed over the store: a crash leaves the old file intact.
 * - Operations run one at a time through a small promise queue, and every read-modify-write holds a
 *   cross-process lock file (`<path>.lock`), so concurrent CLI runs never lose each other's writes (a
 *   rotated refresh token stored by one run survives another run's write of a different entry).
 */
export class FileSecretStore implements SecretStore {
  private readonly operations = new Sequencer();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;
  /** The last derived key, so a passphrase is stretched once per salt, not on every operation. */
  private derived?: { kdf: Kdf; salt: Buffer; key: Buffer };

  private constructor(
    private readonly path: string,
    private readonly keyMaterial: KeyMaterial,
  ) {}

  /** Opens (or prepares to create) the store at `path`. The key is checked against an existing file now. */
  static async open(path: string, key: string): Promise<FileSecretStore> {
    const store = new FileSecretStore(path, parseKeyMaterial(key));
    await store.enqueue(() => store.readAll());
    return store;
  }

  get(key: string): Promise<string | undefined> {
    return this.enqueue(async () => (await this.readAll()).get(key));
  }

  async store(key: string, value: string): Promise<void> {
    await this.enqueue(() =>
      this.locked(async () => {
        const all = await this.readAll();
        all.set(key, value);
        await this.writeAll(all);
      }),
    );
    this.changed.fire(key);
  }

  async delete(key: string): Promise<void> {
    const changed = await this.enqueue(() =>
      this.locked(async () => {
        const all = await this.readAll();
        if (!all.delete(key)) return false;
        await this.writeAll(all);
        return true;
      }),
    );
    if (changed) this.changed.fire(key);
  }

  /** Read-modify-write under the cross-process lock; a lock that cannot be taken is a store failure. */
  private async locked<T>(op: () => Promise<T>): Promise<T> {
    try {
      await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      return await withFileLock(`${this.path}.lock`, op, STORE_LOCK);
    } catch (e) {
      if (isMcpSecureError(e, 'secret_store_failed')) throw e;
      throw storeError('the secret store file is locked by another mcp-secure run; try again', e);
    }
  }

  /** Stored keys (names only; used by `logout` to find every entry of a server). */
  keys(): Promise<string[]> {
    return this.enqueue(async () => [...(await this.readAll()).keys()]);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    return this.operations.queue(op);
  }

  private async readAll(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw storeError(`cannot read the secret store file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, e);
    }
    const envelope = parseEnvelope(text);
    const key = await this.keyFor(envelope.kdf, envelope.salt);
    const plain = decrypt(key, envelope);
    return new Map(Object.entries(parseEntries(plain)));
  }

  private async keyFor(kdf: Kdf, salt: Buffer): Promise<Buffer> {
    if (this.derived && this.derived.kdf === kdf && this.derived.salt.equals(salt)) return this.derived.key;
    const key = await deriveKey(this.keyMaterial, kdf, salt);
    this.derived = { kdf, salt, key };
    return key;
  }

  private async writeAll(entries: Map<string, string>): Promise<void> {
    const kdf: Kdf = this.keyMaterial.kind === 'passphrase' ? 'scrypt' : 'raw';
    const salt = kdf === 'raw' ? Buffer.alloc(0) : this.derived?.kdf === 'scrypt' ? this.derived.salt : randomBytes(16);
    const key = await this.keyFor(kdf, salt);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aadFor(kdf, salt));
    const data = Buffer.concat([cipher.update(JSON.stringify(Object.fromEntries(entries)), 'utf8'), cipher.final()]);
    const envelope: Envelope = { format: FORMAT, kdf, salt, iv, tag: cipher.getAuthTag(), data };
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await fs.writeFile(tmp, serializeEnvelope(envelope), { mode: 0o600, flag: 'wx' });
      await fs.rename(tmp, this.path);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw storeError(`cannot write the secret store file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, e);
    }
  }
}

const FORMAT = 'mcp-secure-store/v1';
type Kdf = 'raw' | 'scrypt';
type KeyMaterial = { kind: 'raw'; key: Buffer } | { kind: 'passphrase'; passphrase: string };
interface Envelope {
  format: string;
  kdf: Kdf;
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const MIN_PASSPHRASE = 16;
/** A store write takes milliseconds (scrypt only once per salt); a lock older than this is abandoned. */
const STORE_LOCK = { staleMs: 30_000, timeoutMs: 20_000 } as const;
const HEX_PREFIX = 'hex:';
const BASE64_PREFIX = 'base64:';

function storeError(message: string, cause?: unknown): McpSecureError {
  return new McpSecureError('secret_store_failed', message, cause === undefined ? undefined : { cause });
}

/**
 * `hex:<64 hex chars>` or `base64:<32 bytes as base64/base64url>` is a raw key; anything else is a
 * passphrase of at least 16 characters (stretched with scrypt). A prefixed value that is not exactly
 * 32 bytes is refused rather than taken as a passphrase.
 */
export function parseKeyMaterial(text: string): KeyMaterial {
  const t = text.trim();
  if (t.toLowerCase().startsWith(HEX_PREFIX)) {
    const hex = t.slice(HEX_PREFIX.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw storeError('a hex: store key must be 32 bytes as 64 hex characters');
    return { kind: 'raw', key: Buffer.from(hex, 'hex') };
  }
  if (t.toLowerCase().startsWith(BASE64_PREFIX)) {
    const b64 = t.slice(BASE64_PREFIX.length);
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)
      ? Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : Buffer.alloc(0);
    if (key.length !== 32) throw storeError('a base64: store key must be 32 bytes in base64 or base64url');
    return { kind: 'raw', key };
  }
  if (t.length < MIN_PASSPHRASE) {
    throw storeError(
      `the store key is too short: use a passphrase of at least ${MIN_PASSPHRASE} characters, or 32 random bytes as hex:<64 hex> or base64:<base64>`,
    );
  }
  return { kind: 'passphrase', passphrase: t };
}

/** Whether an unprefixed value is what earlier versions took as a raw key (64 hex, or 32 bytes of base64). */
function looksLikeLegacyRawKey(passphrase: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(passphrase)) return true;
  return (
    /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(passphrase) &&
    Buffer.from(passphrase.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32
  );
}

async function deriveKey(material: KeyMaterial, kdf: Kdf, salt: Buffer): Promise<Buffer> {
  if (kdf === 'raw') {
    if (material.kind === 'raw') return material.key;
    // Migration: before the hex:/base64: prefixes, such a value was used as a raw key. Never guess.
    throw storeError(
      looksLikeLegacyRawKey(material.passphrase)
        ? 'the store was written with a raw key: give the same key with its prefix, hex:<key> or base64:<key>'
        : 'the store was written with a raw key, but a passphrase was given',
    );
  }
  if (material.kind !== 'passphrase')
    throw storeError('the store was written with a passphrase, but a raw key was given');
  return new Promise((resolve, reject) => {
    scryptCallback(material.passphrase, salt, 32, SCRYPT, (err, key) =>
      err ? reject(storeError('key derivation failed', err)) : resolve(key),
    );
  });
}

function aadFor(kdf: Kdf, salt: Buffer): Buffer {
  return Buffer.from(`${FORMAT}|${kdf}|${salt.toString('base64')}`, 'utf8');
}

function serializeEnvelope(e: Envelope): string {
  return `${JSON.stringify({
    format: e.format,
    kdf: e.kdf,
    salt: e.salt.toString('base64'),
    iv: e.iv.toString('base64'),
    tag: e.tag.toString('base64'),
    data: e.data.toString('base64'),
  })}\n`;
}

function parseEnvelope(text: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw storeError('the file is not an encrypted mcp-secure store; refusing to read or overwrite it');
  }
  const r = raw as Record<string, unknown>;
  const b64 = (v: unknown): Buffer | undefined =>
    typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined;
  const salt = b64(r.salt),
    iv = b64(r.iv),
    tag = b64(r.tag),
    data = b64(r.data);
  if (
    typeof r !== 'object' ||
    r === null ||
    r.format !== FORMAT ||
    (r.kdf !== 'raw' && r.kdf !== 'scrypt') ||
    !salt ||
    !iv ||
    iv.length !== 12 ||
    !tag ||
    tag.length !== 16 ||
    !data
  ) {
    throw storeError('the file is not an encrypted mcp-secure store; refusing to read or overwrite it');
  }
  return { format: FORMAT, kdf: r.kdf, salt, iv, tag, data };
}

function decrypt(key: Buffer, e: Envelope): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, e.iv);
    decipher.setAAD(aadFor(e.kdf, e.salt));
    decipher.setAuthTag(e.tag);
    return Buffer.concat([decipher.update(e.data), decipher.final()]).toString('utf8');
  } catch {
    throw storeError('the secret store does not authenticate: wrong key, or the file was modified');
  }
}

function parseEntries(plain: string): Record<string, string> {
  const value = JSON.parse(plain) as unknown;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw storeError('the secret store content is malformed');
  }
  return value as Record<string, string>;
}
