import { strict as assert } from 'node:assert';
import { SecretStorageAdapter } from '../../../src/vscode/secretStorageAdapter';

/** A working in-memory `vscode.SecretStorage` that counts reads and can simulate another window's write. */
class FakeSecretStorage {
  readonly values = new Map<string, string>();
  reads = 0;
  failNextRead = false;
  private readonly listeners = new Set<(e: { key: string }) => void>();
  async get(key: string): Promise<string | undefined> {
    this.reads++;
    if (this.failNextRead) {
      this.failNextRead = false;
      throw new Error('keyring locked');
    }
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.fire(key);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.fire(key);
  }
  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }
  onDidChange = (listener: (e: { key: string }) => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  /** Another window wrote the key: the value changes under us and only the event tells. */
  writeFromElsewhere(key: string, value: string): void {
    this.values.set(key, value);
    this.fire(key);
  }
  private fire(key: string): void {
    for (const l of this.listeners) l({ key });
  }
}

describe('SecretStorageAdapter read cache (one IPC round trip per key, not per tool call)', () => {
  let storage: FakeSecretStorage;
  let adapter: SecretStorageAdapter;
  beforeEach(() => {
    storage = new FakeSecretStorage();
    adapter = new SecretStorageAdapter(storage as unknown as ConstructorParameters<typeof SecretStorageAdapter>[0]);
  });
  afterEach(() => adapter.dispose());

  it('reads a key once, then serves it from memory (absent keys too)', async () => {
    storage.values.set('grant', 'g1');
    assert.deepEqual(
      [await adapter.get('grant'), await adapter.get('grant'), await adapter.get('none'), await adapter.get('none')],
      ['g1', 'g1', undefined, undefined],
    );
    assert.equal(storage.reads, 2);
  });

  it('own writes and deletes are seen at once; a change from another window is read afresh', async () => {
    await adapter.store('grant', 'g1');
    assert.equal(await adapter.get('grant'), 'g1');
    storage.writeFromElsewhere('grant', 'g2');
    assert.equal(await adapter.get('grant'), 'g2');
    await adapter.delete('grant');
    assert.equal(await adapter.get('grant'), undefined);
  });

  it('a failed read is not cached', async () => {
    storage.values.set('grant', 'g1');
    storage.failNextRead = true;
    await assert.rejects(adapter.get('grant'), (e: Error & { code?: string }) => e.code === 'secret_store_failed');
    assert.equal(await adapter.get('grant'), 'g1');
  });
});
