/**
 * A separate CLI-like process that writes `count` entries into one encrypted file store, one by one
 * (each a read-modify-write), to race other processes doing the same.
 * Usage: node --import tsx storeWriter.ts <path> <key> <prefix> <count>
 */
import { FileSecretStore } from '../../../../src/cli/fileSecretStore';

async function main(): Promise<void> {
  const [path, key, prefix, count] = process.argv.slice(2) as [string, string, string, string];
  const store = await FileSecretStore.open(path, key);
  for (let i = 0; i < Number(count); i++) await store.store(`${prefix}-${i}`, `value-${prefix}-${i}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
