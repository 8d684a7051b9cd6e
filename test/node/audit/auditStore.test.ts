import { strict as assert } from 'node:assert';
import { promises as fsp, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { GENESIS_HASH, computeRecordHash } from '../../../src/core/audit/auditRecord';
import { isMcpSecureError } from '../../../src/core/errors';
import { makeDraft, tempDirEach } from '../../support/auditHelpers';

const seg1 = 'audit-00000001.jsonl';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

describe('AuditStore', () => {
  let store: AuditStore | undefined;
  const t = tempDirEach(() => store);

  it('appends chained canonical JSONL records and verifies them', async () => {
    store = await AuditStore.open({ dir: t.dir });
    const recs = await Promise.all([0, 1, 2, 3, 4].map((i) => store!.append(makeDraft(i))));
    assert.equal(recs[0]!.prev, GENESIS_HASH);
    for (let i = 1; i < recs.length; i++) assert.equal(recs[i]!.prev, recs[i - 1]!.hash);
    const stored = lines(join(t.dir, seg1)).map((l) => JSON.parse(l));
    assert.equal(stored.length, 5);
    assert.equal(computeRecordHash(stored[2]), stored[2].hash);
    const v = await store.verify();
    assert.deepEqual([v.ok, v.records, v.firstBroken], [true, 5, undefined]);
  });

  it('continues the chain after reopening', async () => {
    store = await AuditStore.open({ dir: t.dir });
    const a = await store.append(makeDraft(1));
    await store.close();
    store = await AuditStore.open({ dir: t.dir });
    const b = await store.append(makeDraft(2));
    assert.equal(b.prev, a.hash);
    assert.ok((await store.verify()).ok);
  });

  describe('tamper detection reports the first broken link', () => {
    async function seeded(): Promise<string[]> {
      store = await AuditStore.open({ dir: t.dir });
      for (let i = 0; i < 6; i++) await store.append(makeDraft(i));
      return lines(join(t.dir, seg1));
    }
    it('an edited line', async () => {
      const ls = await seeded();
      ls[3] = ls[3]!.replace('"tool_3"', '"tool_X"');
      writeFileSync(join(t.dir, seg1), `${ls.join('\n')}\n`);
      const v = await store!.verify();
      assert.equal(v.ok, false);
      assert.deepEqual([v.firstBroken?.segment, v.firstBroken?.line, v.firstBroken?.record], [seg1, 4, 4]);
      assert.match(v.firstBroken!.reason, /does not match its hash/);
    });
    it('a deleted line', async () => {
      const ls = await seeded();
      ls.splice(2, 1);
      writeFileSync(join(t.dir, seg1), `${ls.join('\n')}\n`);
      const v = await store!.verify();
      assert.deepEqual([v.ok, v.firstBroken?.line], [false, 3]);
      assert.match(v.firstBroken!.reason, /deleted, inserted or reordered/);
    });
    it('reordered lines', async () => {
      const ls = await seeded();
      [ls[1], ls[2]] = [ls[2]!, ls[1]!];
      writeFileSync(join(t.dir, seg1), `${ls.join('\n')}\n`);
      const v = await store!.verify();
      assert.deepEqual([v.ok, v.firstBroken?.line], [false, 2]);
    });
    it('a hand-edited non-JSON line is reported with its record number; the rest stays checked', async () => {
      const ls = await seeded();
      ls[4] = '{"oops": this is not json';
      writeFileSync(join(t.dir, seg1), `${ls.join('\n')}\n`);
      const v = await store!.verify();
      assert.equal(v.firstBroken?.record, 5);
      assert.match(v.firstBroken!.reason, /not valid JSON/);
      assert.equal(v.records, 6);
      assert.equal(v.problems.length, 1, 'the line after the corrupt one is not blamed');
    });
  });

  it('quarantines a torn last line on open and keeps everything before it', async () => {
    store = await AuditStore.open({ dir: t.dir });
    for (let i = 0; i < 3; i++) await store.append(makeDraft(i));
    await store.close();
    await fsp.appendFile(join(t.dir, seg1), '{"durationMs":1,"hash":"abc","id":"torn');
    store = await AuditStore.open({ dir: t.dir });
    assert.equal(store.recovery.length, 1);
    assert.equal(store.recovery[0]!.kind, 'torn_line_quarantined');
    const q = lines(join(t.dir, 'quarantine.jsonl')).map((l) => JSON.parse(l));
    assert.equal(q.length, 1);
    assert.match(q[0].text, /"id":"torn$/);
    assert.equal(lines(join(t.dir, seg1)).length, 3);
    await store.append(makeDraft(9));
    const v = await store.verify();
    assert.deepEqual([v.ok, v.records], [true, 4]);
  });

  it('completes a whole record that only lost its newline', async () => {
    store = await AuditStore.open({ dir: t.dir });
    for (let i = 0; i < 3; i++) await store.append(makeDraft(i));
    await store.close();
    const content = readFileSync(join(t.dir, seg1), 'utf8');
    writeFileSync(join(t.dir, seg1), content.slice(0, -1));
    store = await AuditStore.open({ dir: t.dir });
    assert.equal(store.recovery[0]?.kind, 'torn_line_completed');
    await store.append(makeDraft(4));
    assert.deepEqual([(await store.verify()).ok, (await store.verify()).records], [true, 4]);
  });

  it('rotates segments and keeps verification working through size retention (anchor)', async () => {
    store = await AuditStore.open({ dir: t.dir, segmentMaxBytes: 4096, retention: { maxBytes: 12_000 }, maxBatch: 4 });
    for (let i = 0; i < 120; i++) await store.append(makeDraft(i));
    const segs = readdirSync(t.dir).filter((n) => n.endsWith('.jsonl') && n.startsWith('audit-'));
    // Deterministic sizes (makeDraft(i) is fixed-length per i): 120 records in 4 KiB segments under a 12 KB cap.
    assert.equal(segs.length, 3, `kept ${segs.length} segments`);
    assert.ok(!segs.includes(seg1), 'the oldest segment was removed');
    const anchor = JSON.parse(readFileSync(join(t.dir, 'anchor.json'), 'utf8'));
    assert.equal(anchor.reason, 'retention');
    const v = await store.verify();
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.records, 15, 'the records of the three kept segments');
  });

  it('age retention removes old segments', async () => {
    let now = Date.now();
    store = await AuditStore.open({
      dir: t.dir,
      segmentMaxBytes: 2048,
      retention: { maxAgeMs: 60_000 },
      clock: { now: () => now },
    });
    for (let i = 0; i < 10; i++) await store.append(makeDraft(i));
    const before = readdirSync(t.dir).filter((n) => n.startsWith('audit-')).length;
    now += 120_000;
    for (let i = 10; i < 20; i++) await store.append(makeDraft(i));
    const after = readdirSync(t.dir).filter((n) => n.startsWith('audit-')).length;
    assert.ok(before > 1 && after < before + 2, `${before} -> ${after}`);
    assert.ok((await store.verify()).ok);
  });

  it('clear removes the records, chains an attributed clear event and the chain continues verifiably', async () => {
    store = await AuditStore.open({ dir: t.dir });
    const a = await store.append(makeDraft(1));
    await store.clear({ caller: 'panel', human: { displayName: 'Alice' } });
    const b = await store.append(makeDraft(2));
    const kept = readdirSync(t.dir).filter((n) => n.startsWith('audit-'));
    assert.deepEqual(kept, ['audit-00000002.jsonl']);
    const [clearEvent] = lines(join(t.dir, kept[0]!)).map((l) => JSON.parse(l));
    assert.deepEqual(
      [clearEvent.event.type, clearEvent.prev, clearEvent.who.caller, clearEvent.who.human.displayName],
      ['clear', a.hash, 'panel', 'Alice'],
    );
    assert.match(clearEvent.event.detail, /1 record\(s\) in 1 segment\(s\) removed/);
    assert.equal(b.prev, clearEvent.hash);
    const v = await store.verify();
    assert.deepEqual([v.ok, v.records], [true, 2]);
  });

  it('reports an unwritable directory as audit_write_failed', async () => {
    writeFileSync(join(t.dir, 'file'), 'x');
    await assert.rejects(AuditStore.open({ dir: join(t.dir, 'file', 'sub') }), (e) =>
      isMcpSecureError(e, 'audit_write_failed'),
    );
  });

  it('reports a full disk without losing what is already written', async () => {
    store = await AuditStore.open({ dir: t.dir });
    await store.append(makeDraft(1));
    await store.close();
    // The next segment is /dev/full: every write fails with ENOSPC.
    await fsp.symlink('/dev/full', join(t.dir, 'audit-00000002.jsonl'));
    store = await AuditStore.open({ dir: t.dir });
    await assert.rejects(
      store.append(makeDraft(2)),
      (e) => isMcpSecureError(e, 'audit_write_failed') && /ENOSPC/.test((e as Error).message),
    );
    await fsp.unlink(join(t.dir, 'audit-00000002.jsonl'));
    assert.equal(lines(join(t.dir, seg1)).length, 1);
  });

  it('a retried append writes only the drafts not yet in the chain, also when a segment ended after them', async () => {
    store = await AuditStore.open({ dir: t.dir, segmentMaxBytes: 2048 });
    // long arguments: a few records fill a segment, so the written ones end up in an earlier segment
    const draft = (i: number) => makeDraft(i, { what: { ...makeDraft(i).what, arguments: { pad: 'x'.repeat(600) } } });
    const written = [0, 1, 2, 3, 4].map(draft);
    assert.deepEqual((await store.appendAll(written)).failed, []);
    const other = [5, 6, 7].map(draft); // another window writes on
    await store.appendAll(other);
    const fresh = draft(8);
    const retried = [written[3]!, written[4]!, fresh];
    const records = await Promise.all(retried.map((d) => store!.append(d, { retry: true })));
    const ids = readdirSync(t.dir)
      .filter((f) => /^audit-\d+\.jsonl$/.test(f))
      .sort()
      .flatMap((f) => lines(join(t.dir, f)).map((l) => (JSON.parse(l) as { id: string }).id));
    const v = await store.verify();
    assert.deepEqual(
      [records.map((r) => r.id), ids, v.ok, readdirSync(t.dir).filter((f) => f.endsWith('.jsonl')).length > 1],
      [retried.map((d) => d.id), [...written, ...other, fresh].map((d) => d.id), true, true],
    );
  });
});
