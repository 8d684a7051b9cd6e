import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore, GROUP_COMMIT_MS } from '../../../src/core/audit/auditStore';
import { fileWitness, tempDir } from '../../support/auditHelpers';

const writer = join(__dirname, 'fixtures', 'appendLoop.ts');

interface Writer {
  child: ChildProcess;
  ready: Promise<void>;
  progress(n: number): Promise<void>;
  exited: Promise<number | null>;
}

function startWriter(
  dir: string,
  count: string,
  tag: string,
  argBytes = 0,
  waitGo = false,
  segmentBytes = 0,
  commitMs = 0,
  thread = false,
): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, join(dir, 'audit'), count, tag, String(argBytes)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AUDIT_WAIT_GO: waitGo ? '1' : '0',
      AUDIT_WITNESS_DIR: dir,
      AUDIT_SEGMENT_BYTES: String(segmentBytes),
      AUDIT_COMMIT_MS: String(commitMs),
      AUDIT_THREAD: thread ? '1' : '0',
    },
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  let out = '';
  let err = '';
  const waiters: { n: number; resolve(): void }[] = [];
  let last = 0;
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('recovered')) markReady();
    for (const m of out.matchAll(/progress (\d+)/g)) last = Math.max(last, Number(m[1]));
    out = out.slice(out.lastIndexOf('\n') + 1);
    for (const w of waiters.filter((x) => last >= x.n)) w.resolve();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    ready,
    exited: exited.then((c) => {
      if (c !== 0 && c !== null) throw new Error(`writer failed: ${err}`);
      return c;
    }),
    progress: (n) =>
      new Promise<void>((resolve, reject) => {
        if (last >= n) return resolve();
        waiters.push({ n, resolve });
        child.on('exit', () => (last >= n ? resolve() : reject(new Error(`writer exited before ${n}: ${err}`))));
      }),
  };
}

describe('AuditStore with real processes', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    t.cleanup();
  });

  it('survives SIGKILL mid-write in a loop: at most the torn last line is quarantined, the chain verifies', async () => {
    let quarantined = 0;
    for (let iter = 0; iter < 12; iter++) {
      // 64 KiB segments with retention: kills also land in rotations, retention events and anchor moves
      const w = startWriter(t.dir, 'forever', `k${iter}`, 2000 + randomInt(6000), false, 64 * 1024);
      children.push(w.child);
      await w.progress(8 + randomInt(40));
      w.child.kill('SIGKILL');
      await w.exited;
      // the head is witnessed outside the folder: a kill between the log write and the head write
      // must never read as tampering (no integrity event, verification intact)
      const store = await AuditStore.open({
        dir: join(t.dir, 'audit'),
        lock: { staleMs: 60_000 },
        witness: fileWitness(t.dir).witness,
      });
      assert.ok(store.recovery.length <= 1, JSON.stringify(store.recovery));
      assert.ok(
        store.recovery.every((r) => r.kind !== 'integrity_violation' && r.kind !== 'witness_started'),
        JSON.stringify(store.recovery),
      );
      quarantined += store.recovery.filter((r) => r.kind === 'torn_line_quarantined').length;
      const v = await store.verify();
      await store.close();
      assert.equal(v.ok, true, `iteration ${iter}: ${JSON.stringify(v.firstBroken)}`);
    }
    const qFile = join(t.dir, 'audit', 'quarantine.jsonl');
    const qLines = existsSync(qFile) ? readFileSync(qFile, 'utf8').split('\n').filter(Boolean).length : 0;
    assert.equal(qLines, quarantined, 'every quarantined line was reported');
    assert.ok(existsSync(join(t.dir, 'audit', 'anchor.json')), 'retention moved the anchor during the loop');
  });

  /** Kills a group-committing writer four times at random points; every acknowledged record survives. */
  async function killLoop(prefix: string, onThread: boolean): Promise<void> {
    let acknowledged = 0;
    for (let iter = 0; iter < 4; iter++) {
      const w = startWriter(t.dir, 'forever', `${prefix}${iter}`, 500, false, 0, GROUP_COMMIT_MS, onThread);
      children.push(w.child);
      const n = 16 + 8 * randomInt(4);
      await w.progress(n); // "progress n": the first n appends resolved, i.e. were reported durable
      w.child.kill('SIGKILL');
      await w.exited;
      acknowledged += n;
      const store = await AuditStore.open({
        dir: join(t.dir, 'audit'),
        lock: { staleMs: 60_000 },
        witness: fileWitness(t.dir).witness,
      });
      const v = await store.verify();
      await store.close();
      assert.equal(v.ok, true, `iteration ${iter}: ${JSON.stringify(v.firstBroken)}`);
      assert.ok(
        v.records >= acknowledged,
        `iteration ${iter}: ${v.records} records on disk, ${acknowledged} acknowledged`,
      );
    }
  }

  it("with group commit (the editor's 25 ms), SIGKILL loses no acknowledged record and the chain verifies", () =>
    killLoop('g', false));

  it("on the audit thread with the editor's 25 ms group commit, SIGKILL loses no acknowledged record and the chain verifies", () =>
    killLoop('t', true));

  it('two writer processes interleave whole records and keep one valid chain', async () => {
    const a = startWriter(t.dir, '1000', 'A', 300, true);
    const b = startWriter(t.dir, '1000', 'B', 300, true);
    children.push(a.child, b.child);
    await Promise.all([a.ready, b.ready]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    await Promise.all([a.exited, b.exited]);
    const store = await AuditStore.open({ dir: join(t.dir, 'audit'), witness: fileWitness(t.dir).witness });
    assert.deepEqual(store.recovery, []);
    const v = await store.verify();
    await store.close();
    assert.equal(v.ok, true, JSON.stringify(v.firstBroken));
    assert.equal(v.records, 2000);
    const tools = readFileSync(join(t.dir, 'audit', 'audit-00000001.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { what: { tool: string } }).what.tool[0]);
    const switches = tools.filter((x, i) => i > 0 && x !== tools[i - 1]).length;
    assert.ok(switches > 1, 'the writers actually interleaved');
  });
});
