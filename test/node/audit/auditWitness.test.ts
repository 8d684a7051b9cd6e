import { strict as assert } from 'node:assert';
import {
  chmodSync,
  promises as fsp,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { sealRecord, type AuditRecord } from '../../../src/core/audit/auditRecord';
import { AuditStore, type AuditStoreOptions } from '../../../src/core/audit/auditStore';
import { AuditWitness, MemoryHeadStore } from '../../../src/core/audit/auditWitness';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { AuditPanelBackend } from '../../../src/vscode/audit/auditPanelBackend';
import type { HostToWebview } from '../../../src/webview/protocol';
import { fileWitness, makeDraft, tempDirEach } from '../../support/auditHelpers';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^audit-\d{8}\.jsonl$/.test(n))
    .sort();
}

describe('AuditStore with a witnessed head (tampering beyond in-place edits)', () => {
  let dir: string;
  let store: AuditStore | undefined;
  const t = tempDirEach(() => store);
  const open = async (over: Partial<AuditStoreOptions> = {}): Promise<AuditStore> => {
    store = await AuditStore.open({ dir, witness: fileWitness(t.dir).witness, ...over });
    return store;
  };
  /** Writes `n` records, closes the store (the editor quits) and returns the segment files. */
  const seed = async (n: number, over: Partial<AuditStoreOptions> = {}): Promise<string[]> => {
    const s = await open(over);
    for (let i = 0; i < n; i++) await s.append(makeDraft(i));
    await s.close();
    store = undefined;
    return segments(dir);
  };
  beforeEach(() => {
    dir = join(t.dir, 'audit');
  });

  it('an untouched log verifies, also across reopen, rotation, retention and clear', async () => {
    await seed(60, { segmentMaxBytes: 4096, retention: { maxBytes: 12_000 }, maxBatch: 4 });
    const s = await open({ segmentMaxBytes: 4096, retention: { maxBytes: 12_000 } });
    assert.deepEqual(s.recovery, []);
    let v = await s.verify();
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.ok(v.records < 60 && v.firstBroken === undefined);
    await s.clear();
    await s.append(makeDraft(99));
    v = await s.verify();
    assert.deepEqual([v.ok, v.records], [true, 2]);
  });

  it('detects dropped newest records', async () => {
    const [seg] = await seed(6);
    const ls = lines(join(dir, seg!));
    writeFileSync(join(dir, seg!), `${ls.slice(0, 4).join('\n')}\n`);
    const s = await open();
    assert.ok(
      s.recovery.some((r) => r.kind === 'integrity_violation' && /newest records were removed/.test(r.message)),
      JSON.stringify(s.recovery),
    );
    const v = await s.verify();
    assert.equal(v.ok, false);
    assert.match(v.firstBroken!.reason, /integrity check failed .*newest records were removed/);
  });

  it('detects dropped oldest records behind a forged anchor.json', async () => {
    const segs = await seed(40, { segmentMaxBytes: 2048 });
    assert.equal(segs.length, 14);
    const second = JSON.parse(lines(join(dir, segs[1]!))[0]!) as AuditRecord;
    unlinkSync(join(dir, segs[0]!));
    writeFileSync(
      join(dir, 'anchor.json'),
      JSON.stringify({ firstSegment: 2, prevHash: second.prev, reason: 'retention', at: new Date().toISOString() }),
    );
    const v = await (await open({ segmentMaxBytes: 2048 })).verify();
    assert.equal(v.ok, false);
    const reasons = v.problems.map((p) => p.reason).join('\n');
    assert.match(reasons, /anchor\.json \(first segment 2\) did not match the witnessed anchor \(first segment 1\)/);
    assert.match(reasons, /prev does not link/);
  });

  it('detects every segment hidden behind an anchor, and shows the records again', async () => {
    const segs = await seed(20, { segmentMaxBytes: 2048 });
    writeFileSync(
      join(dir, 'anchor.json'),
      JSON.stringify({ firstSegment: 99, prevHash: 'f'.repeat(64), reason: 'clear', at: new Date().toISOString() }),
    );
    const s = await open({ segmentMaxBytes: 2048 });
    const v = await s.verify();
    assert.equal(v.ok, false);
    assert.match(v.firstBroken!.reason, /anchor\.json \(first segment 99\) did not match the witnessed anchor/);
    assert.equal(v.records, 21, 'all 20 records are checked again, plus the integrity event');
    assert.deepEqual(segments(dir).slice(0, segs.length), segs, 'no segment was removed');
  });

  it('detects a full re-hash of the chain', async () => {
    const [seg] = await seed(5);
    let prev = '0'.repeat(64);
    const forged = lines(join(dir, seg!)).map((l) => {
      const { v: _v, prev: _p, hash: _h, ...draft } = JSON.parse(l) as AuditRecord;
      const r = sealRecord({ ...draft, what: { ...draft.what, tool: 'innocent' } }, prev);
      prev = r.hash;
      return JSON.stringify(r);
    });
    writeFileSync(join(dir, seg!), `${forged.join('\n')}\n`);
    const v = await (await open()).verify();
    assert.equal(v.ok, false);
    assert.match(v.firstBroken!.reason, /rewritten or re-hashed/);
  });

  it('detects a deleted last record disguised as a torn line (while the store is open)', async () => {
    const s = await open();
    for (let i = 0; i < 4; i++) await s.append(makeDraft(i));
    const seg = join(dir, segments(dir)[0]!);
    const ls = lines(seg);
    writeFileSync(seg, `${ls.slice(0, 3).join('\n')}\n{"durationMs":1,"hash":"ab`);
    const v = await s.verify();
    assert.equal(v.ok, false);
    assert.match(v.firstBroken!.reason, /newest records were removed/);
    assert.ok(
      readFileSync(join(dir, 'quarantine.jsonl'), 'utf8').includes('"hash\\":\\"ab'),
      'the fake torn line was still quarantined',
    );
  });

  it('an integrity finding stays in the chain across reopen until the log is cleared', async () => {
    const [seg] = await seed(3);
    writeFileSync(join(dir, seg!), `${lines(join(dir, seg!)).slice(0, 2).join('\n')}\n`);
    await (await open()).close();
    const s = await open();
    assert.deepEqual(s.recovery, [], 'reported once, when found');
    assert.equal((await s.verify()).ok, false);
    await s.clear();
    assert.equal((await s.verify()).ok, true);
  });

  it('reports a deleted head as "head missing" and a forged head as failing its MAC', async () => {
    await seed(3);
    const { headPath } = fileWitness(t.dir);
    const saved = readFileSync(headPath, 'utf8');
    unlinkSync(headPath);
    let s = await open();
    assert.match(s.recovery.map((r) => r.message).join('\n'), /head missing/);
    assert.equal((await s.verify()).ok, false);
    await s.close();
    const forged = JSON.parse(saved) as { head: { records: number } };
    forged.head.records = 1;
    writeFileSync(headPath, JSON.stringify(forged));
    s = await open();
    assert.match(s.recovery.map((r) => r.message).join('\n'), /failed its MAC check/);
  });

  it('rewrites the head in place batch after batch, and writes it where it is when someone replaced or loosened it', async () => {
    await seed(2);
    const { headPath } = fileWitness(t.dir);
    const inode = statSync(headPath).ino;
    const records = (): number =>
      (JSON.parse(readFileSync(headPath, 'utf8')) as { head: { records: number } }).head.records;
    const s = await open();
    await s.append(makeDraft(2));
    await s.append(makeDraft(3));
    assert.deepEqual(
      [statSync(headPath).ino, statSync(headPath).size, records()],
      [inode, 512, 4],
      'one sector, in place',
    );
    // a copy renamed over the head: the next batch writes the file now at the path, not the old inode
    writeFileSync(`${headPath}.copy`, readFileSync(headPath), { mode: 0o600 });
    renameSync(`${headPath}.copy`, headPath);
    await s.append(makeDraft(4));
    assert.equal(records(), 5);
    // loosened to 0644: replaced by a private file again
    chmodSync(headPath, 0o644);
    await s.append(makeDraft(5));
    assert.deepEqual([(statSync(headPath).mode & 0o777).toString(8), records()], ['600', 6]);
    assert.equal((await s.verify()).ok, true);
  });

  it('a crash between the log write and the head write is no alarm (the head lags by one batch)', async () => {
    await seed(3);
    const { headPath } = fileWitness(t.dir);
    const before = readFileSync(headPath, 'utf8');
    const s = await open();
    await Promise.all([s.append(makeDraft(3)), s.append(makeDraft(4))]);
    await s.close();
    writeFileSync(headPath, before); // as if killed after fdatasync, before the head was saved
    const again = await open();
    assert.deepEqual(again.recovery, []);
    const v = await again.verify();
    assert.deepEqual([v.ok, v.records], [true, 5]);
    assert.notEqual(readFileSync(headPath, 'utf8'), before, 'the head caught up with the log');
  });

  it('a crash between witnessing a new anchor and writing anchor.json is no alarm', async () => {
    await seed(40, { segmentMaxBytes: 2048, retention: { maxBytes: 6000 } });
    const anchor = JSON.parse(readFileSync(join(dir, 'anchor.json'), 'utf8')) as { firstSegment: number };
    const { headPath } = fileWitness(t.dir);
    const head = (
      JSON.parse(readFileSync(headPath, 'utf8')) as {
        head: { prevAnchor: { firstSegment: number; prevHash: string; records: number } };
      }
    ).head;
    // the previous anchor is still on disk and the segment it names was not unlinked yet
    writeFileSync(
      join(dir, 'anchor.json'),
      JSON.stringify({ ...head.prevAnchor, reason: 'retention', at: new Date().toISOString() }),
    );
    const leftover = `audit-${String(anchor.firstSegment - 1).padStart(8, '0')}.jsonl`;
    writeFileSync(join(dir, leftover), 'leftover\n');
    const s = await open({ segmentMaxBytes: 2048, retention: { maxBytes: 6000 } });
    assert.ok(
      s.recovery.every((r) => r.kind !== 'integrity_violation'),
      JSON.stringify(s.recovery),
    );
    assert.equal((await s.verify()).ok, true);
    assert.equal(
      (JSON.parse(readFileSync(join(dir, 'anchor.json'), 'utf8')) as { firstSegment: number }).firstSegment,
      anchor.firstSegment,
    );
    assert.ok(!segments(dir).includes(leftover), 'the interrupted retention was finished');
  });

  it('records retention in the chain', async () => {
    await seed(40, { segmentMaxBytes: 2048, retention: { maxBytes: 6000 } });
    const events = segments(dir)
      .flatMap((n) => lines(join(dir, n)))
      .map((l) => JSON.parse(l) as AuditRecord)
      .filter((r) => r.event);
    assert.ok(
      events.length > 0 && events.every((e) => e.event?.type === 'retention' && e.who.caller === 'audit-store'),
    );
    assert.match(events[0]!.event!.detail, /retention removed \d+ record\(s\) in 1 segment\(s\)/);
  });

  it('starts witnessing an existing log with a visible witness_started event', async () => {
    const s0 = await AuditStore.open({ dir });
    await s0.append(makeDraft(1));
    await s0.close();
    const s = await open();
    assert.equal(s.recovery[0]?.kind, 'witness_started');
    const v = await s.verify();
    assert.deepEqual([v.ok, v.records], [true, 2]);
  });

  it('the panel says what was checked and what failed, and shows integrity findings as they are found', async () => {
    const s = await open();
    for (let i = 0; i < 3; i++) await s.append(makeDraft(i));
    const backend = new AuditPanelBackend(
      new AuditTrail({ store: s, logger: new MemoryLogger() }),
      new MemoryLogger(),
      {
        pickExportTarget: async () => undefined,
        confirmClear: async () => false,
        notify: () => undefined,
      },
    );
    const posted: HostToWebview[] = [];
    backend.onDidPost((m) => posted.push(m));
    try {
      await backend.handle({ kind: 'ready' });
      assert.equal(
        (await backend.verify()).message,
        'Audit log intact: 3 record(s) in 1 segment(s) verified, up to the witnessed head (record 3).',
      );
      const seg = join(dir, segments(dir)[0]!);
      writeFileSync(seg, `${lines(seg).slice(0, 2).join('\n')}\n`);
      const v = await backend.verify();
      assert.equal(v.ok, false);
      assert.match(
        v.message,
        /^Audit log check failed at record 3 \(audit-00000001\.jsonl, line 3\): integrity check failed at .*: audit-00000001\.jsonl ends at byte \d+ but the witnessed head \(record #3\) ends at byte \d+: the newest records were removed\.$/,
      );
      assert.ok(
        posted.some(
          (m) =>
            m.kind === 'event' &&
            m.event.type === 'status' &&
            m.event.level === 'error' &&
            /^Audit log integrity: .*newest records were removed$/.test(m.event.text),
        ),
      );
    } finally {
      backend.dispose();
    }
  });

  it('keeps auditing when secret storage fails, and witnesses once it works again', async () => {
    const secrets = new MemorySecretStore();
    let broken = true;
    const flaky = {
      get: (k: string) => (broken ? Promise.reject(new Error('keychain locked')) : secrets.get(k)),
      store: (k: string, v: string) => secrets.store(k, v),
      delete: (k: string) => secrets.delete(k),
    };
    const heads = new MemoryHeadStore();
    const s = await open({ witness: new AuditWitness(heads, flaky) });
    assert.match(s.recovery.map((r) => r.message).join('\n'), /audit head could not be read/);
    await s.append(makeDraft(1));
    assert.equal(heads.value, undefined);
    broken = false;
    await s.append(makeDraft(2));
    assert.ok(heads.value, 'witnessed once secret storage works');
    const v = await s.verify();
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
  });

  it('works over the port with an in-memory head store and secret store', async () => {
    const heads = new MemoryHeadStore();
    const secrets = new MemorySecretStore();
    const s = await open({ witness: new AuditWitness(heads, secrets) });
    await s.append(makeDraft(1));
    assert.ok(heads.value && !heads.value.includes(String(await secrets.get('mcpSecure.audit.witnessKey'))));
    await s.close();
    const text = heads.value;
    const s2 = await open({ witness: new AuditWitness(heads, secrets) });
    await s2.append(makeDraft(2));
    heads.value = text; // an older head restored while the store runs
    await fsp.truncate(join(dir, segments(dir)[0]!), 0);
    const v = await s2.verify();
    assert.equal(v.ok, false);
  });
});
