import { strict as assert } from 'node:assert';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { blockingFileIo, promiseFileIo, SECTOR_BYTES, type FileIo } from '../../../src/core/audit/fileIo';
import { acquireFileLock } from '../../../src/core/audit/fileLock';
import { isMcpSecureError } from '../../../src/core/errors';
import { tempDir } from '../../support/auditHelpers';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

for (const [flavour, io] of [
  ['through the thread pool', promiseFileIo],
  ['blocking (the audit thread)', blockingFileIo],
] as [string, FileIo][]) {
  describe(`audit file operations, ${flavour}`, () => {
    let t: ReturnType<typeof tempDir>;
    let umask: number;
    beforeEach(() => {
      t = tempDir('fileio-');
      umask = process.umask(0o000);
    });
    afterEach(() => {
      process.umask(umask);
      t.cleanup();
    });

    it('creates a file exclusively (0600) and answers EEXIST the second time, without touching it', async () => {
      const path = join(t.dir, 'lock');
      assert.equal(await io.createExclusive(path, 'first'), undefined);
      assert.equal(await io.createExclusive(path, 'second'), 'EEXIST');
      assert.equal(readFileSync(path, 'utf8'), 'first');
      assert.equal(mode(path), '600');
      assert.equal(await io.createExclusive(join(t.dir, 'missing', 'lock'), 'x'), 'ENOENT');
    });

    it('stats, reads and unlinks, answering undefined, empty and quietly for a missing file', async () => {
      const path = join(t.dir, 'f');
      writeFileSync(path, 'hello');
      assert.equal((await io.statOrUndefined(path))?.size, 5);
      assert.equal(await io.readTextOrEmpty(path), 'hello');
      await io.unlinkQuietly(path);
      assert.equal(await io.statOrUndefined(path), undefined);
      assert.equal(await io.readTextOrEmpty(path), '');
      await io.unlinkQuietly(path);
    });

    it('appends a whole buffer to an append-mode file, durably or not', async () => {
      const path = join(t.dir, 'segment');
      const fh = await open(path, 'a', 0o600);
      try {
        await io.appendDurably(fh, Buffer.from('one\n'), true);
        await io.appendDurably(fh, Buffer.from('two\n'.repeat(50_000)), false);
      } finally {
        await fh.close();
      }
      assert.equal(readFileSync(path, 'utf8'), `one\n${'two\n'.repeat(50_000)}`);
    });

    it('replaces a file atomically with a 0600 file and leaves no temp file', async () => {
      const path = join(t.dir, 'head.json');
      writeFileSync(path, 'old', { mode: 0o644 });
      await io.replaceAtomically(path, '{"v":1}', true);
      assert.equal(readFileSync(path, 'utf8'), '{"v":1}');
      assert.equal(mode(path), '600');
      assert.equal(await io.statOrUndefined(`${path}.tmp`), undefined);
      await assert.rejects(io.replaceAtomically(join(t.dir, 'missing', 'head.json'), 'x', true), /ENOENT/);
    });

    it('rewrites a private file in place as one space-padded sector (same inode, JSON still parses)', async () => {
      const path = join(t.dir, 'head.json');
      writeFileSync(path, JSON.stringify({ v: 1, long: 'x'.repeat(300) }), { mode: 0o600 });
      const inode = statSync(path).ino;
      assert.equal(await io.overwriteSector(path, '{"v":2}', true), true);
      const text = readFileSync(path, 'utf8');
      assert.equal(text.length, SECTOR_BYTES, 'padded to one sector: nothing of the longer old text is left');
      assert.deepEqual(JSON.parse(text), { v: 2 });
      assert.equal(statSync(path).ino, inode, 'rewritten in place, not replaced');
      assert.equal(mode(path), '600');
    });

    it('writes nothing and answers false where an in-place rewrite is not safe', async () => {
      const cases: [string, () => string, string][] = [
        ['a missing file', () => join(t.dir, 'missing.json'), '{}'],
        ['data longer than a sector', () => plant('big.json', 'old', 0o600), `"${'y'.repeat(SECTOR_BYTES)}"`],
        ['a file longer than a sector', () => plant('long.json', 'z'.repeat(SECTOR_BYTES + 1), 0o600), '{}'],
        ['a file others may read', () => plant('loose.json', 'old', 0o644), '{}'],
        [
          'a symbolic link',
          () => {
            const target = plant('target.json', 'old', 0o600);
            symlinkSync(target, join(t.dir, 'link.json'));
            return join(t.dir, 'link.json');
          },
          '{}',
        ],
      ];
      for (const [what, make, data] of cases) {
        const path = make();
        const before = statSync(path, { throwIfNoEntry: false }) && readFileSync(path, 'utf8');
        assert.equal(await io.overwriteSector(path, data, true), false, what);
        assert.equal(statSync(path, { throwIfNoEntry: false }) && readFileSync(path, 'utf8'), before, what);
      }
    });

    /** A file of `text` with `fileMode`, whatever the umask. */
    function plant(name: string, text: string, fileMode: number): string {
      const path = join(t.dir, name);
      writeFileSync(path, text);
      chmodSync(path, fileMode);
      return path;
    }
  });
}

describe('audit lock held by a thread of this process', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('lock-')));
  afterEach(() => t.cleanup());

  /** A fresh lock as a thread of this very process writes it. */
  const plant = (path: string, thread: number | undefined): void =>
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        ...(thread === undefined ? {} : { thread }),
        host: hostname(),
        at: Date.now(),
        nonce: 'aa',
      }),
    );

  it('is taken over at once when that thread is known to have ended', async () => {
    const path = join(t.dir, '.lock');
    plant(path, 7);
    const release = await acquireFileLock(path, { staleMs: 600_000, timeoutMs: 2_000, abandonedThreads: [3, 7] });
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { thread: number }).thread, 0, 'now ours (main thread)');
    await release();
  });

  it('is respected while that thread may still run, and so is a lock that names no thread', async () => {
    for (const thread of [8, undefined]) {
      const path = join(t.dir, `.lock-${String(thread)}`);
      plant(path, thread);
      await assert.rejects(
        acquireFileLock(path, { staleMs: 600_000, timeoutMs: 300, abandonedThreads: [7] }),
        (e: unknown) => isMcpSecureError(e, 'audit_write_failed') && /locked by another process/.test(e.message),
      );
      assert.match(readFileSync(path, 'utf8'), /"nonce":"aa"/, 'the lock is left alone');
    }
  });
});
