import type * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import type { SecretStore } from '../core/ports';
import { Strings } from './strings';

/** Told about every secret value that passes through, so the logger can redact it verbatim. */
export type SecretSink = (value: string) => void;

/**
 * `SecretStore` over `ExtensionContext.secrets`. A failed write surfaces as
 * `McpSecureError('secret_store_failed')` (never swallowed into `undefined`); `onDidChange` forwards
 * SecretStorage change events, which also fire for writes made by other windows.
 *
 * Reads are cached in memory: every tool call reads the grant several times (identity, resource,
 * token), and a SecretStorage read is an IPC round trip to the workbench (≈ 7 ms in code-server).
 * The cache is updated by this adapter's own writes and dropped per key on every change event, so a
 * write from another window is read afresh.
 */
export class SecretStorageAdapter implements SecretStore {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  private readonly invalidation: vscode.Disposable;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly sink: SecretSink = () => undefined,
  ) {
    this.invalidation = storage.onDidChange((e) => this.cache.delete(e.key));
  }

  async get(key: string): Promise<string | undefined> {
    let read = this.cache.get(key);
    if (!read) {
      read = Promise.resolve(this.storage.get(key));
      this.cache.set(key, read);
    }
    let value: string | undefined;
    try {
      value = await read;
    } catch (cause) {
      if (this.cache.get(key) === read) this.cache.delete(key);
      throw new McpSecureError('secret_store_failed', Strings.secretReadFailed(key), { cause });
    }
    if (value !== undefined) this.sink(value);
    return value;
  }

  async store(key: string, value: string): Promise<void> {
    this.sink(value);
    this.cache.delete(key);
    try {
      await this.storage.store(key, value);
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', Strings.secretWriteFailed(key), { cause });
    }
    this.cache.set(key, Promise.resolve(value));
  }

  async delete(key: string): Promise<void> {
    this.cache.delete(key);
    try {
      await this.storage.delete(key);
    } catch (cause) {
      throw new McpSecureError('secret_store_failed', Strings.secretDeleteFailed(key), { cause });
    }
    this.cache.set(key, Promise.resolve(undefined));
  }

  dispose(): void {
    this.invalidation.dispose();
    this.cache.clear();
  }

  onDidChange(listener: (key: string) => void): { dispose(): void } {
    return this.storage.onDidChange((e) => listener(e.key));
  }
}
