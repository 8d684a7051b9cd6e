import type * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import type { SecretStore } from '../core/ports';

/** Told about every secret value that passes through, so the logger can redact it verbatim. */
export type SecretSink = (value: string) => void;

/**
 * `SecretStore` over `ExtensionContext.secrets`. A failed write surfaces as
 * `McpSecureError('secret_store_failed')` (never swallowed into `undefined`); `onDidChange` forwards
 * SecretStorage change events, which also fire for writes made by other windows.
 */
export class SecretStorageAdapter implements SecretStore {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly sink: SecretSink = () => undefined,
  ) {}

  async get(key: string): Promise<string | undefined> {
    let value: string | undefined;
    try {
      value = await this.storage.get(key);
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', `Reading secret storage failed (${key}).`, { cause });
    }
    if (value !== undefined) this.sink(value);
    return value;
  }

  async store(key: string, value: string): Promise<void> {
    this.sink(value);
    try {
      await this.storage.store(key, value);
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', `Writing secret storage failed (${key}).`, { cause });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', `Deleting from secret storage failed (${key}).`, { cause });
    }
  }

  onDidChange(listener: (key: string) => void): { dispose(): void } {
    return this.storage.onDidChange((e) => listener(e.key));
  }
}
