import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMcpSecureError } from '../../../src/core/errors';
import { spawn } from 'node:child_process';
import { FileSecretStore, parseKeyMaterial } from '../../../src/cli/fileSecretStore';

/** Runs the store writer as a real child process. */
function runWriter(
  path: string,
  key: string,
  prefix: string,
  count: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'support', 'storeWriter.ts'), path, key, prefix, String(count)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

const CANARY = 'canary-refresh-token-9f3c1d7e2b';

describe('cli FileSecretStore', () => {
  let dir: string;
  let path: string;
  const rawKey = `hex:${randomBytes(32).toString('hex')}`;

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'mcp-secure-store-'));
    path = join(dir, 'tokens.store');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips values across instances, and the file holds no plaintext', async () => {
    const a = await FileSecretStore.open(path, rawKey);
    await a.store('grant/https://mcp.example/mcp', CANARY);
    await a.store('client/https://as.example', '{"client_id":"x"}');
    const b = await FileSecretStore.open(path, rawKey);
    assert.equal(await b.get('grant/https://mcp.example/mcp'), CANARY);
    assert.deepEqual((await b.keys()).sort(), ['client/https://as.example', 'grant/https://mcp.example/mcp']);
    const text = await fs.readFile(path, 'utf8');
    assert.ok(!text.includes(CANARY));
    assert.ok(!text.includes('grant/'));
    const mode = (await fs.stat(path)).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  it('deletes entries and notifies listeners', async () => {
    const s = await FileSecretStore.open(path, rawKey);
    const changed: string[] = [];
    s.onDidChange((k) => changed.push(k));
    await s.store('k', 'value-1');
    await s.delete('k');
    assert.equal(await s.get('k'), undefined);
    assert.deepEqual(changed, ['k', 'k']);
  });

  it('works with a passphrase (scrypt) and refuses a short one', async () => {
    const s = await FileSecretStore.open(path, 'correct horse battery staple');
    await s.store('k', CANARY);
    const again = await FileSecretStore.open(path, 'correct horse battery staple');
    assert.equal(await again.get('k'), CANARY);
    assert.throws(
      () => parseKeyMaterial('short'),
      (e: unknown) => isMcpSecureError(e, 'secret_store_failed'),
    );
  });

  it('takes raw keys only with an explicit hex:/base64: prefix; a 43-character passphrase goes through scrypt', async () => {
    const key = randomBytes(32);
    const kinds = [
      `hex:${key.toString('hex')}`,
      `base64:${key.toString('base64')}`,
      `BASE64:${key.toString('base64url')}`,
      key.toString('base64url'),
      key.toString('hex'),
      'a'.repeat(43),
    ].map((k) => parseKeyMaterial(k).kind);
    assert.deepEqual(kinds, ['raw', 'raw', 'raw', 'passphrase', 'passphrase', 'passphrase']);
    for (const bad of ['hex:abcd', `base64:${randomBytes(16).toString('base64')}`, 'base64:!!!']) {
      assert.throws(
        () => parseKeyMaterial(bad),
        (e: unknown) => isMcpSecureError(e, 'secret_store_failed'),
        bad,
      );
    }
    const passphrase = randomBytes(32).toString('base64url'); // 43 characters that look like a raw key
    const s = await FileSecretStore.open(path, passphrase);
    await s.store('k', CANARY);
    assert.equal((JSON.parse(await fs.readFile(path, 'utf8')) as { kdf: string }).kdf, 'scrypt');
  });

  it('migration: a store written with a raw key opens with the prefixed key; the bare key gets a typed error naming the prefix', async () => {
    const hex = randomBytes(32).toString('hex');
    await (await FileSecretStore.open(path, `hex:${hex}`)).store('k', CANARY);
    await assert.rejects(
      FileSecretStore.open(path, hex),
      (e: unknown) => isMcpSecureError(e, 'secret_store_failed') && /hex:/.test((e as Error).message),
    );
    assert.equal(await (await FileSecretStore.open(path, `hex:${hex}`)).get('k'), CANARY);
  });

  it("concurrent processes never lose each other's writes (read-modify-write under a file lock)", async function () {
    this.timeout(60_000);
    await (await FileSecretStore.open(path, rawKey)).store('rotated-refresh-token', CANARY);
    const runs = await Promise.all(['a', 'b', 'c', 'd'].map((p) => runWriter(path, rawKey, p, 25)));
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0, 0, 0],
      runs.map((r) => r.stderr).join('\n'),
    );
    const keys = await (await FileSecretStore.open(path, rawKey)).keys();
    assert.equal(keys.length, 101, `lost ${101 - keys.length} writes`);
    assert.equal(await (await FileSecretStore.open(path, rawKey)).get('rotated-refresh-token'), CANARY);
  });

  it('refuses a wrong key without touching the file', async () => {
    const s = await FileSecretStore.open(path, rawKey);
    await s.store('k', CANARY);
    const before = await fs.readFile(path, 'utf8');
    await assert.rejects(FileSecretStore.open(path, `hex:${randomBytes(32).toString('hex')}`), (e: unknown) =>
      isMcpSecureError(e, 'secret_store_failed'),
    );
    assert.equal(await fs.readFile(path, 'utf8'), before);
  });

  it('detects tampering with the ciphertext or the header', async () => {
    const s = await FileSecretStore.open(path, rawKey);
    await s.store('k', CANARY);
    const envelope = JSON.parse(await fs.readFile(path, 'utf8')) as Record<string, string>;
    const data = Buffer.from(envelope.data as string, 'base64');
    data[0] = (data[0] as number) ^ 1;
    await fs.writeFile(path, JSON.stringify({ ...envelope, data: data.toString('base64') }));
    await assert.rejects(
      FileSecretStore.open(path, rawKey),
      (e: unknown) => isMcpSecureError(e, 'secret_store_failed') && !String((e as Error).message).includes(CANARY),
    );
    await fs.writeFile(path, JSON.stringify({ ...envelope, kdf: 'scrypt' }));
    await assert.rejects(FileSecretStore.open(path, rawKey), (e: unknown) =>
      isMcpSecureError(e, 'secret_store_failed'),
    );
  });

  it('refuses to read or overwrite a plaintext file', async () => {
    await fs.writeFile(path, JSON.stringify({ 'grant/x': CANARY }));
    await assert.rejects(FileSecretStore.open(path, rawKey), (e: unknown) =>
      isMcpSecureError(e, 'secret_store_failed'),
    );
    assert.ok((await fs.readFile(path, 'utf8')).includes(CANARY), 'the file is left as it was');
  });

  it('serialises concurrent writes without losing any', async () => {
    const s = await FileSecretStore.open(path, rawKey);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.store(`k${i}`, `v${i}`)));
    const again = await FileSecretStore.open(path, rawKey);
    assert.equal((await again.keys()).length, 20);
  });
});
