import { promises as fs } from 'node:fs';
import { McpSecureError } from '../core/errors';
import { MemorySecretStore } from '../core/memoryPorts';
import type { SecretStore } from '../core/ports';
import type { StoreSpec } from './args';
import { FileSecretStore } from './fileSecretStore';
import type { Redactor } from './redaction';

/** The environment variable that holds the file store's key (when no `--store-key-file` is given). */
export const STORE_KEY_ENV = 'MCP_SECURE_STORE_KEY';

/**
 * Opens the store the user chose. `memory` persists nothing. `file:<path>` is encrypted with a key from
 * `--store-key-file` or `$MCP_SECURE_STORE_KEY`; without a key the CLI refuses (tokens are never written
 * in plaintext). The key is registered with the redactor so it can never be echoed.
 */
export async function openSecretStore(spec: StoreSpec, keyFile: string | undefined, redactor: Redactor,
  env: NodeJS.ProcessEnv = process.env): Promise<SecretStore> {
  if (spec.kind === 'memory') return new MemorySecretStore();
  let key: string | undefined;
  if (keyFile !== undefined) {
    try {
      key = (await fs.readFile(keyFile, 'utf8')).trim();
    } catch (e) {
      throw new McpSecureError('secret_store_failed', `cannot read the store key file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
    }
  } else {
    key = env[STORE_KEY_ENV];
  }
  if (!key) {
    throw new McpSecureError('secret_store_failed',
      `--store file: needs an encryption key: set ${STORE_KEY_ENV} or pass --store-key-file <path> (tokens are never stored in plaintext)`);
  }
  redactor.addSecret(key);
  return FileSecretStore.open(spec.path, key);
}
