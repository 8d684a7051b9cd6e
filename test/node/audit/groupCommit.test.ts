import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AuditStore, type StoreReport } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { fileWitness, makeContext, makeDraft, tempDirEach } from '../../support/auditHelpers';

/** A delay no test waits for: whatever is written, flush/verify/close wrote. */
const NEVER_MS = 10 * 60_000;

describe('AuditStore group commit', () => {
  let store: AuditStore | undefined;
  const t = tempDirEach(() => store);

  it('writes records queued one by one during the delay as one batch; verify writes them first', async () => {
    store = await AuditStore.open({
      dir: join(t.dir, 'audit'),
      commitDelayMs: NEVER_MS,
      witness: fileWitness(t.dir).witness,
    });
    const batches: number[] = [];
    store.onDidAppend((b) => batches.push(b.records.length));
    const written: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      written.push(store.append(makeDraft(i)));
      await nextTurn(); // calls end one after another, not in one tick
    }
    const v = await store.verify();
    await Promise.all(written);
    assert.deepEqual([batches, v.ok, v.records], [[4], true, 4]);
  });

  it('through the trail: every call is recorded exactly once, and close() writes what is waiting', async () => {
    const dir = join(t.dir, 'audit');
    const s = await AuditStore.open({ dir, commitDelayMs: NEVER_MS, witness: fileWitness(t.dir).witness });
    const trail = new AuditTrail({ store: s, logger: new MemoryLogger() });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const ctx = makeContext({ callId: `call-${i}` });
      ids.push(ctx.callId);
      trail.onToolCallEnd(ctx, { kind: 'success', resultSize: 1 }, 1);
      await nextTurn();
    }
    await trail.close();
    store = await AuditStore.open({ dir, witness: fileWitness(t.dir).witness });
    const v = await store.verify();
    assert.deepEqual([v.ok, v.records, store.recovery], [true, 6, []]);
  });

  it('a store created without waiting opens before its first operation: repairs are reported, records queued meanwhile chain on', async () => {
    const dir = join(t.dir, 'audit');
    const first = await AuditStore.open({ dir, witness: fileWitness(t.dir).witness });
    const a = await first.append(makeDraft(1));
    await first.close();
    await fsp.appendFile(join(dir, 'audit-00000001.jsonl'), '{"durationMs":1,"hash":"abc","id":"torn'); // a crash mid-write
    store = AuditStore.create({ dir, witness: fileWitness(t.dir).witness, commitDelayMs: NEVER_MS });
    const reports: StoreReport[] = [];
    store.onDidReport((r) => reports.push(r));
    const b = store.append(makeDraft(2)); // a tool call ends while the store is still opening
    const v = await store.verify();
    assert.deepEqual(
      [(await b).prev, v.ok, v.records, reports.map((r) => r.kind)],
      [a.hash, true, 2, ['torn_line_quarantined']],
    );
  });
});
