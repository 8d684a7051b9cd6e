import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AuditStore } from '../../../src/core/audit/auditStore';
import type { AuditStoreThread } from '../../../src/core/audit/auditStoreThread';
import { AUDIT_THREAD_NICE } from '../../../src/core/audit/auditThreadProtocol';
import { AuditTrail, type AuditWriteFailure } from '../../../src/core/audit/auditTrail';
import { WITNESS_KEY_NAME } from '../../../src/core/audit/auditWitness';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { Emitter } from '../../../src/core/common/event';
import type { SecretStore } from '../../../src/core/ports';
import {
  fileWitness,
  JsonFileSecretStore,
  makeContext,
  makeDraft,
  tempDirEach,
  threadStore,
  waitFor,
} from '../../support/auditHelpers';

/** Every file of the audit folder and the witness beside it, as one string. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

/**
 * The witness key's SecretStore, able to hold the thread mid-batch: once `stall()`ed, the next read of
 * the key (the witnessed head is saved after the batch is written and synced) waits forever.
 */
class StallingSecretStore implements SecretStore {
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;
  private stalled = false;
  /** Reads made while stalled. */
  held = 0;
  constructor(private readonly inner: SecretStore) {}
  get(key: string): Promise<string | undefined> {
    if (!this.stalled) return this.inner.get(key);
    this.held++;
    return new Promise(() => undefined);
  }
  store(key: string, value: string): Promise<void> {
    return this.inner.store(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  /** Holds the next key read (the change makes the thread's witness read the key again). */
  stall(): void {
    this.stalled = true;
    this.changed.fire(WITNESS_KEY_NAME);
  }
  release(): void {
    this.stalled = false;
  }
}

/** A day no test waits for: whatever is written, flush/verify/close wrote. */
const NEVER_MS = 24 * 3600_000;

describe('AuditStoreThread (the audit store on its own thread, as the editor runs it)', function () {
  this.timeout(30_000);
  let thread: AuditStoreThread | undefined;
  const t = tempDirEach(() => thread);

  it('writes each call once, redacted on the host, chained and witnessed with the key from the host SecretStore', async () => {
    const dir = join(t.dir, 'audit');
    const secrets = new JsonFileSecretStore(fileWitness(t.dir).keyPath);
    thread = threadStore(t.dir, dir, { commitDelayMs: NEVER_MS, secrets });
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger() });
    const canary = `canary-${randomBytes(18).toString('base64url')}`;
    trail.redactor.registerSecret(canary);
    const live: string[] = [];
    trail.onDidAppend((b) => live.push(...b.records.map((r) => r.what.tool)));
    for (let i = 0; i < 5; i++)
      trail.onToolCallEnd(
        makeContext({ tool: `tool_${i}`, arguments: { note: `see ${canary}`, password: canary } }),
        { kind: 'success', resultSize: 1 },
        1,
      );
    await trail.flush();
    const v = await thread.verify();
    assert.deepEqual(
      [v.ok, v.records, v.witnessedHead, live, (await secrets.get(WITNESS_KEY_NAME)) !== undefined],
      [true, 5, 5, ['tool_0', 'tool_1', 'tool_2', 'tool_3', 'tool_4'], true],
    );
    assert.ok(!allText(t.dir).includes(canary), 'the canary reached the disk');
    await thread.close();
    thread = undefined;
    // the same folder and witness, opened on this thread: nothing to repair, nothing missing
    const store = await AuditStore.open({ dir, witness: fileWitness(t.dir).witness });
    const again = await store.verify();
    await store.close();
    assert.deepEqual([store.recovery, again.ok, again.records], [[], true, 5]);
  });

  it('runs below the host threads CPU priority on Linux (busy cores serve the calls first); the host keeps its own', async () => {
    const linux = process.platform === 'linux';
    /** Nice value of each thread of this process, by thread id (/proc/self/task/<tid>/stat, field 19). */
    const nices = (): Map<number, number> =>
      new Map(
        linux
          ? readdirSync('/proc/self/task').map((tid) => {
              const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
              return [Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
            })
          : [[process.pid, getPriority(0)]],
      );
    const before = nices();
    thread = threadStore(t.dir, join(t.dir, 'audit'));
    await thread.whenOpen();
    const after = nices();
    const host = before.get(process.pid) as number;
    assert.equal(after.get(process.pid), host, 'the host thread keeps its priority');
    for (const [tid, nice] of before) if (after.has(tid)) assert.equal(after.get(tid), nice, `thread ${tid} unchanged`);
    const started = [...after].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    if (linux)
      assert.ok(started.includes(Math.max(host, AUDIT_THREAD_NICE)), `new threads' nice values: ${started.join(' ')}`);
  });

  it("tells the host of every record exactly as it is on disk: its calls rebuilt from the drafts, the store's events whole", async () => {
    const dir = join(t.dir, 'audit');
    thread = threadStore(t.dir, dir, { commitDelayMs: NEVER_MS });
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger() });
    const heard: unknown[] = [];
    trail.onDidAppend((b) => heard.push(...b.records));
    const call = (tool: string): void =>
      trail.onToolCallEnd(
        makeContext({ tool, arguments: { '10': [1, { b: undefined, a: 'é' }], q: 'x' } }),
        { kind: 'tool_error', message: 'nope', resultSize: 3 },
        2.5,
      );
    const onDisk = (): unknown[] =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
        .map((l) => JSON.parse(l) as unknown);
    call('before');
    call('before_too');
    await trail.flush();
    const beforeClear = onDisk();
    await thread.clear({ caller: 'panel' });
    call('after');
    await trail.flush();
    const afterClear = onDisk();
    assert.deepEqual(
      heard.map((r) => JSON.parse(JSON.stringify(r)) as unknown),
      [...beforeClear, ...afterClear],
    );
    assert.deepEqual(
      heard.map((r) => (r as { what: { tool: string } }).what.tool),
      ['before', 'before_too', 'audit.clear', 'after'],
    );
  });

  it('widens the group-commit window after a window that saw calls at the busy rate, and narrows it after a quiet one', async () => {
    const dir = join(t.dir, 'audit');
    // busy: at least 100 calls/s, i.e. 5 drafts in a 50 ms window
    thread = threadStore(t.dir, dir, { commitDelayMs: 50, busyCommitDelayMs: 600, busyCallsPerSecond: 100 });
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger() });
    const heard: string[] = [];
    trail.onDidAppend((b) => heard.push(...b.records.map((r) => r.what.tool)));
    const calls = async (tool: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) trail.onToolCallEnd(makeContext({ tool }), { kind: 'success', resultSize: 1 }, 1);
      await new Promise((r) => setImmediate(r)); // the trail hands its calls over after the turn
    };
    const written = (tool: string, n: number): Promise<void> =>
      waitFor(() => heard.filter((h) => h === tool).length === n, 10_000, `${tool} written`);
    assert.equal(thread.nextWindowMs, 50);
    await calls('quiet', 2);
    await written('quiet', 2); // no flush: the window ran its course
    assert.equal(thread.nextWindowMs, 50, '2 drafts in 50 ms is below the busy rate');
    await calls('burst', 6);
    await written('burst', 6);
    assert.equal(thread.nextWindowMs, 600, '6 drafts in 50 ms is a burst: the next window is the wide one');
    await calls('after', 1);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(
      heard.filter((h) => h === 'after'),
      [],
      'still waiting in the wide window (the quiet one would have ended 200 ms ago)',
    );
    await written('after', 1);
    assert.equal(thread.nextWindowMs, 50, 'one draft in 600 ms: quiet again');
    await calls('flushed', 6);
    await trail.flush();
    assert.equal(thread.nextWindowMs, 50, 'a flush ends a window early: no evidence of a burst');
    assert.deepEqual((await thread.verify()).records, 15);
  });

  it('hands back a draft that cannot be serialised, with a typed error, and writes the others of its batch', async () => {
    thread = threadStore(t.dir, join(t.dir, 'audit'));
    const bad = makeDraft(1, { what: { server: makeDraft(1).what.server, tool: 'bad', arguments: { n: 1n } } });
    const good = makeDraft(2);
    const outcome = await thread.appendAll([bad, good]);
    assert.deepEqual(outcome.failed, [bad]);
    assert.ok(isMcpSecureError(outcome.error, 'audit_write_failed'), String(outcome.error));
    assert.deepEqual(await thread.appendAll([makeDraft(3)]), { failed: [] });
    const v = await thread.verify();
    assert.deepEqual([v.ok, v.records], [true, 2]);
  });

  it('clears through the thread (the clear event is chained first) and keeps writing after it', async () => {
    const dir = join(t.dir, 'audit');
    thread = threadStore(t.dir, dir);
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger() });
    trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    await thread.clear({ caller: 'panel' });
    trail.onToolCallEnd(makeContext({ tool: 'after' }), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    const v = await thread.verify();
    assert.deepEqual([v.ok, v.records], [true, 2]);
  });

  it('hands failed drafts back: the trail keeps them, reports, and writes them once the folder is usable', async () => {
    const dir = join(t.dir, 'audit');
    writeFileSync(dir, 'a file where the folder should be');
    thread = threadStore(t.dir, dir);
    const failures: AuditWriteFailure[] = [];
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger(), onWriteError: (f) => failures.push(f) });
    assert.doesNotThrow(() => trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1));
    await waitFor(() => failures.length > 0, 10_000, 'write failure report');
    assert.deepEqual([failures[0]?.error.code, trail.pendingCount], ['audit_write_failed', 1]);
    const { rmSync } = await import('node:fs');
    rmSync(dir);
    trail.onToolCallEnd(makeContext({ tool: 'later' }), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    const v = await thread.verify();
    assert.deepEqual([trail.pendingCount, v.ok, v.records], [0, true, 2]);
  });

  it('records each call exactly once when the thread dies after writing a batch and the trail hands it over again', async () => {
    const dir = join(t.dir, 'audit');
    const secrets = new StallingSecretStore(new JsonFileSecretStore(fileWitness(t.dir).keyPath));
    // the dead thread leaves its lock behind (same pid as the host): the next thread knows that thread is
    // gone and takes the lock over at once (it would give up after 5 s if it waited for a stale lock)
    thread = threadStore(t.dir, dir, { secrets, store: { lock: { staleMs: 600_000, timeoutMs: 5_000 } } });
    const failures: AuditWriteFailure[] = [];
    const trail = new AuditTrail({ store: thread, logger: new MemoryLogger(), onWriteError: (f) => failures.push(f) });
    const ids: string[] = [];
    const call = (tool: string): void => {
      const context = makeContext({ tool });
      ids.push(context.callId);
      trail.onToolCallEnd(context, { kind: 'success', resultSize: 1 }, 1);
    };
    call('first');
    await trail.flush();
    // the next batch is written and synced, then the thread waits for the key to witness the head ...
    secrets.stall();
    call('second');
    call('third');
    await waitFor(() => secrets.held > 0, 10_000, 'the thread to reach the witnessed head');
    const onDisk = (): string[] =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl') && f.startsWith('audit-'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
        .map((line) => (JSON.parse(line) as { id: string }).id);
    assert.deepEqual(onDisk(), ids, 'the batch is on disk before the thread dies');
    // ... and dies there, before it replies: the host fails the batch and the trail keeps its drafts
    await (thread as unknown as { worker: Worker }).worker.terminate();
    await waitFor(() => failures.length > 0, 10_000, 'write failure report');
    assert.deepEqual([failures[0]?.error.code, trail.pendingCount], ['audit_write_failed', 2]);
    secrets.release();
    call('fourth');
    await trail.flush();
    const v = await thread.verify();
    assert.deepEqual([trail.pendingCount, onDisk(), v.ok, v.records, v.witnessedHead], [0, ids, true, 4, 4]);
  });
});
