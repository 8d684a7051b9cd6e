/**
 * The file operations every audit batch makes (lock, re-sync, write, fdatasync, witnessed head,
 * unlock), in two flavours with one contract:
 * - {@link promiseFileIo}: `fs/promises`, through libuv's thread pool; never blocks the calling thread.
 *   For a store on an event loop that also serves other work (the CLI, tests).
 * - {@link blockingFileIo}: the same system calls, made synchronously. For the store's own thread
 *   (auditThread.ts), which has nothing else to do while they run. Each thread-pool hop costs a
 *   hand-over to a pool thread and back (futex wake-ups, an event-loop turn): a batch's dozen calls
 *   took ~1.4 ms of CPU through the pool and ~0.4 ms made directly (`npm run bench:calls` prints the
 *   whole stack's cost), CPU that the MCP calls and servers on the same cores then do not get.
 * Both resolve or reject (never throw synchronously), so callers are written once.
 */
import {
  closeSync,
  fdatasyncSync,
  openSync,
  promises as fsp,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { FILE_MODE } from './segmentFiles';

export interface FileIo {
  /** `stat(2)`, or `undefined` when the file is missing or unreadable. */
  statOrUndefined(path: string): Promise<Stats | undefined>;
  /** Creates `path` holding `data` only if it does not exist (`O_CREAT|O_EXCL`, 0600); resolves to the errno code on failure. */
  createExclusive(path: string, data: string): Promise<string | undefined>;
  /** The file's text, or `''` when it cannot be read. */
  readTextOrEmpty(path: string): Promise<string>;
  /** `unlink(2)`, ignoring failure (already gone). */
  unlinkQuietly(path: string): Promise<void>;
  /** Writes all of `data` to an append-mode file, then `fdatasync`s it when `durable`. */
  appendDurably(file: FileHandle, data: Buffer, durable: boolean): Promise<void>;
  /** Replaces `path` atomically: a 0600 temp file beside it, `fdatasync` when `durable`, `rename(2)`. */
  replaceAtomically(path: string, data: string, durable: boolean): Promise<void>;
}

const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'unknown error';

export const promiseFileIo: FileIo = {
  statOrUndefined: (path) => fsp.stat(path).catch(() => undefined),
  async createExclusive(path, data) {
    try {
      await fsp.writeFile(path, data, { flag: 'wx', mode: FILE_MODE });
      return undefined;
    } catch (err) {
      return errno(err);
    }
  },
  readTextOrEmpty: (path) => fsp.readFile(path, 'utf8').catch(() => ''),
  unlinkQuietly: (path) => fsp.unlink(path).catch(() => undefined),
  async appendDurably(file, data, durable) {
    let written = 0;
    while (written < data.length) written += (await file.write(data, written, data.length - written)).bytesWritten;
    if (durable) await file.datasync();
  },
  async replaceAtomically(path, data, durable) {
    const tmp = `${path}.tmp`;
    const fh = await fsp.open(tmp, 'w', FILE_MODE);
    try {
      await fh.writeFile(data);
      if (durable) await fh.datasync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  },
};

export const blockingFileIo: FileIo = {
  async statOrUndefined(path) {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  },
  async createExclusive(path, data) {
    try {
      writeFileSync(path, data, { flag: 'wx', mode: FILE_MODE });
      return undefined;
    } catch (err) {
      return errno(err);
    }
  },
  async readTextOrEmpty(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  },
  async unlinkQuietly(path) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  },
  async appendDurably(file, data, durable) {
    let written = 0;
    while (written < data.length) written += writeSync(file.fd, data, written, data.length - written);
    if (durable) fdatasyncSync(file.fd);
  },
  async replaceAtomically(path, data, durable) {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', FILE_MODE);
    try {
      writeFileSync(fd, data);
      if (durable) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  },
};

/** The flavour a store was configured with (`blockingIo`: it runs on its own thread). */
export function fileIoFor(options: { readonly blockingIo?: boolean }): FileIo {
  return options.blockingIo === true ? blockingFileIo : promiseFileIo;
}
