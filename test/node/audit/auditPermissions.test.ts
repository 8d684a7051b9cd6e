import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { acquireFileLock } from '../../../src/core/audit/fileLock';
import { fileWitness, makeDraft, tempDir } from '../../support/auditHelpers';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('audit file permissions', () => {
  let t: ReturnType<typeof tempDir>;
  let umask: number;
  beforeEach(() => {
    t = tempDir();
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
    t.cleanup();
  });

  it('creates the folder 0700 and every file 0600 even under a permissive umask', async () => {
    const dir = join(t.dir, 'audit');
    const store = await AuditStore.open({
      dir,
      segmentMaxBytes: 2048,
      retention: { maxBytes: 5000 },
      witness: fileWitness(t.dir).witness,
    });
    for (let i = 0; i < 30; i++) await store.append(makeDraft(i));
    await store.close();
    writeFileSync(join(dir, 'audit-00000099.jsonl'), '{"torn'); // quarantined on the next open
    chmodSync(join(dir, 'audit-00000099.jsonl'), 0o600);
    const again = await AuditStore.open({ dir, witness: fileWitness(t.dir).witness });
    const release = await acquireFileLock(join(dir, '.lock'));
    const files = readdirSync(dir);
    assert.ok(
      files.includes('anchor.json') && files.includes('quarantine.jsonl') && files.includes('.lock'),
      files.join(' '),
    );
    const modes = Object.fromEntries(files.map((f) => [f, mode(join(dir, f))]));
    await release();
    await again.close();
    assert.equal(mode(dir), '700');
    assert.deepEqual(
      Object.values(modes).filter((m) => m !== '600'),
      [],
      JSON.stringify(modes),
    );
    assert.equal(mode(fileWitness(t.dir).headPath), '600', 'the witnessed head');
  });

  it('tightens a folder and files created by an older version (0777/0666)', async () => {
    const dir = join(t.dir, 'audit');
    mkdirSync(dir, { mode: 0o777 });
    const old = await AuditStore.open({ dir });
    await old.append(makeDraft(1));
    await old.close();
    chmodSync(dir, 0o777);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o666);
    writeFileSync(
      join(dir, 'anchor.json'),
      JSON.stringify({ firstSegment: 1, prevHash: '0'.repeat(64), reason: 'clear', at: new Date().toISOString() }),
      { mode: 0o666 },
    );
    await (await AuditStore.open({ dir })).close();
    assert.equal(mode(dir), '700');
    for (const f of readdirSync(dir)) assert.equal(mode(join(dir, f)), '600', f);
  });
});
