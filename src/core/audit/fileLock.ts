/**
 * A cross-process lock file (two VS Code windows share one audit directory). Acquired with
 * `open(O_CREAT|O_EXCL)`, which is atomic on local file systems; a lock whose owner process is gone
 * (SIGKILL, crash), whose owner thread of this process is known to be gone (`abandonedThreads`: an
 * audit thread that died holding it), or that is older than `staleMs` is taken over by renaming it
 * aside first, so two waiters cannot both break the same stale lock.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { McpSecureError } from '../errors';
import { promiseFileIo, type FileIo } from './fileIo';

export interface FileLockOptions {
  /** A lock older than this is considered abandoned (default 15 s). */
  readonly staleMs?: number;
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /**
   * Threads of this process that ended (their `threadId`s): a lock they hold is abandoned at once,
   * instead of after `staleMs` (the owner's pid is alive: it is ours).
   */
  readonly abandonedThreads?: readonly number[];
  /** How the hot path's file operations are made (default: through the thread pool). */
  readonly io?: FileIo;
}

interface LockOwner {
  pid: number;
  /** `threadId` of the owner in its process (0: the main thread; absent in locks written before it was recorded). */
  thread?: number;
  host: string;
  at: number;
  nonce: string;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof o.pid === 'number' &&
      typeof o.host === 'string' &&
      typeof o.at === 'number' &&
      typeof o.nonce === 'string'
    ) {
      return o as LockOwner;
    }
  } catch {
    // an unparsable lock is treated as abandoned once it is old enough
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This machine's name, read once (a `uname(2)` per batch otherwise). */
let hostName: string | undefined;
const thisHost = (): string => (hostName ??= hostname());

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Holds the lock at `path` while `fn` runs. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const release = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Acquires the lock; resolves to its release function. */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const staleMs = options.staleMs ?? 15_000;
  const io = options.io ?? promiseFileIo;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const me: LockOwner = {
    pid: process.pid,
    thread: threadId,
    host: thisHost(),
    at: Date.now(),
    nonce: randomBytes(8).toString('hex'),
  };
  const started = Date.now();
  const wantPath = `${path}.want`;
  let wait = 1;
  let wanted = false;
  // Fairness: a busy holder re-acquiring in a loop would starve the other window; when a waiter has
  // announced itself (`.want`, younger than 1 s), a fresh acquisition steps aside once.
  const want = await io.statOrUndefined(wantPath);
  if (want && Date.now() - want.mtimeMs < 1000) await delay(4);
  for (;;) {
    // A process killed between create and write leaves an empty lock: breakIfStale treats it as abandoned after 2 s.
    const code = await io.createExclusive(path, JSON.stringify({ ...me, at: Date.now() }));
    if (code === undefined) {
      if (wanted) await io.unlinkQuietly(wantPath);
      const acquiredAt = Date.now();
      // Nobody breaks a lock younger than staleMs: release it without re-reading the owner then.
      return () =>
        Date.now() - acquiredAt < staleMs / 2 ? io.unlinkQuietly(path) : releaseFileLock(io, path, me.nonce);
    }
    if (code !== 'EEXIST')
      throw new McpSecureError('audit_write_failed', `cannot create the audit lock file (${code})`);
    if (!wanted && Date.now() - started > 10) {
      wanted = true;
      await fsp.writeFile(wantPath, me.nonce, { mode: 0o600 }).catch(() => undefined);
    }
    await breakIfStale(path, staleMs, options.abandonedThreads ?? []);
    if (Date.now() > deadline)
      throw new McpSecureError('audit_write_failed', 'the audit log is locked by another process');
    await delay(wait);
    wait = Math.min(wait * 2, 8);
  }
}

async function releaseFileLock(io: FileIo, path: string, nonce: string): Promise<void> {
  const owner = parseOwner(await io.readTextOrEmpty(path));
  if (owner?.nonce === nonce) await io.unlinkQuietly(path);
}

/** Whether the lock's owner is known to be gone: its process, or (in this process) its thread. */
function ownerGone(owner: LockOwner, abandonedThreads: readonly number[]): boolean {
  if (owner.host !== thisHost()) return false;
  if (owner.pid === process.pid) return owner.thread !== undefined && abandonedThreads.includes(owner.thread);
  return !processAlive(owner.pid);
}

async function breakIfStale(path: string, staleMs: number, abandonedThreads: readonly number[]): Promise<void> {
  let text: string;
  let mtime: number;
  try {
    [text, mtime] = await Promise.all([fsp.readFile(path, 'utf8'), fsp.stat(path).then((s) => s.mtimeMs)]);
  } catch {
    return; // released meanwhile
  }
  const owner = parseOwner(text);
  const dead = owner !== undefined && ownerGone(owner, abandonedThreads);
  // An unreadable lock (its owner was killed between create and write) is stale after 2 s.
  const old = Date.now() - (owner?.at ?? mtime) > (owner ? staleMs : Math.min(staleMs, 2000));
  if (!dead && !old) return;
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await fsp.rename(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => '');
  if (moved !== text) {
    // We moved a fresh lock taken after our read: put it back (link fails if a newer one exists).
    await fsp.link(aside, path).catch(() => undefined);
  }
  await fsp.unlink(aside).catch(() => undefined);
}
