import { promises as fs } from 'node:fs';
import { McpSecureError } from '../core/errors';
import { MemorySecretStore } from '../core/memoryPorts';
import type { SecretStore } from '../core/ports';
import type { StoreSpec } from './args';
import { FileSecretStore } from './fileSecretStore';
import type { Redactor } from '../core/common/redaction';

/** The environment variable that holds the file store's key (when no `--store-key-file` is given). */
export const STORE_KEY_ENV = 'MCP_SECURE_STORE_KEY';

/**
 * Opens the store the user chose. `memory` persists nothing. `file:<path>` is encrypted with a key from
 * `--store-key-file` or `$MCP_SECURE_STORE_KEY`; without a key the CLI refuses (tokens are never written
 * in plaintext). The key, and every value that passes through the store, is registered with the
 * redactor so it can never be echoed.
 */
export async function openSecretStore(
  spec: StoreSpec,
  keyFile: string | undefined,
  redactor: Redactor,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretStore> {
  if (spec.kind === 'memory') return registeringStore(new MemorySecretStore(), redactor);
  let key: string | undefined;
  if (keyFile !== undefined) {
    try {
      key = (await fs.readFile(keyFile, 'utf8')).trim();
    } catch (e) {
      throw new McpSecureError(
        'secret_store_failed',
        `cannot read the store key file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: e },
      );
    }
  } else {
    key = env[STORE_KEY_ENV];
  }
  if (!key) {
    throw new McpSecureError(
      'secret_store_failed',
      `--store file: needs an encryption key: set ${STORE_KEY_ENV} or pass --store-key-file <path> (tokens are never stored in plaintext)`,
    );
  }
  redactor.registerSecret(key);
  return registeringStore(await FileSecretStore.open(spec.path, key), redactor);
}

/**
 * Every value read from or written to the store (grants with their access and refresh tokens,
 * registered clients) is registered with the redactor, so it can never be printed — the CLI's
 * counterpart of the extension's SecretStorage adapter hook.
 */
function registeringStore(store: SecretStore, redactor: Redactor): SecretStore {
  return {
    get: async (key) => {
      const value = await store.get(key);
      redactor.registerSecret(value);
      return value;
    },
    store: async (key, value) => {
      redactor.registerSecret(value);
      await store.store(key, value);
    },
    delete: (key) => store.delete(key),
    ...(store.onDidChange ? { onDidChange: store.onDidChange.bind(store) } : {}),
  };
}
