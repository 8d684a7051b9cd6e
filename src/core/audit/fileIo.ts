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
  constants,
  fdatasyncSync,
  fstatSync,
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
  /**
   * Rewrites a small file in place: `data` padded with spaces to {@link SECTOR_BYTES}, written at offset
   * 0 by one `pwrite(2)`, then `fdatasync` when `durable` — as atomic as a rename (a one-sector write
   * lands whole or not at all) at a third of its cost (no new inode, no rename, no freed blocks to
   * discard). Resolves `false`, having written nothing, when that is not safe: the file is missing, a
   * symbolic link, not a regular 0600 file, longer than a sector, or `data` does not fit in one; the
   * caller then uses {@link replaceAtomically}. A failed write rejects.
   */
  overwriteSector(path: string, data: string, durable: boolean): Promise<boolean>;
}

/** One disk sector: the unit a device writes whole or not at all. */
export const SECTOR_BYTES = 512;

/** `data` padded with spaces to one sector (JSON ignores the padding), or undefined when it does not fit. */
function sectorOf(data: string): Buffer | undefined {
  const bytes = Buffer.from(data, 'utf8');
  if (bytes.length > SECTOR_BYTES) return undefined;
  const sector = Buffer.alloc(SECTOR_BYTES, 0x20);
  bytes.copy(sector);
  return sector;
}

/** Whether an open file may be rewritten in place (see {@link FileIo.overwriteSector}). */
function rewritable(stat: Stats): boolean {
  const privateMode = process.platform === 'win32' || (stat.mode & 0o777) === FILE_MODE;
  return stat.isFile() && stat.size <= SECTOR_BYTES && privateMode;
}

/** Flags of an in-place rewrite: never follow a symbolic link, never create. */
const REWRITE_FLAGS = constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

function checkWritten(written: number): void {
  if (written !== SECTOR_BYTES) throw Object.assign(new Error('short write'), { code: 'EIO' });
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
  async overwriteSector(path, data, durable) {
    const sector = sectorOf(data);
    if (!sector) return false;
    const fh = await fsp.open(path, REWRITE_FLAGS).catch(() => undefined);
    if (!fh) return false;
    try {
      if (!rewritable(await fh.stat())) return false;
      checkWritten((await fh.write(sector, 0, SECTOR_BYTES, 0)).bytesWritten);
      if (durable) await fh.datasync();
      return true;
    } finally {
      await fh.close();
    }
  },
};

export const blockingFileIo: FileIo = {
  async statOrUndefined(path) {
    try {
      // a missing file is the common answer (the lock's `.want`, the next segment): no exception built for it
      return statSync(path, { throwIfNoEntry: false });
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
  async overwriteSector(path, data, durable) {
    const sector = sectorOf(data);
    if (!sector) return false;
    let fd: number;
    try {
      fd = openSync(path, REWRITE_FLAGS);
    } catch {
      return false;
    }
    try {
      if (!rewritable(fstatSync(fd))) return false;
      checkWritten(writeSync(fd, sector, 0, SECTOR_BYTES, 0));
      if (durable) fdatasyncSync(fd);
      return true;
    } finally {
      closeSync(fd);
    }
  },
};

/** The flavour a store was configured with (`blockingIo`: it runs on its own thread). */
export function fileIoFor(options: { readonly blockingIo?: boolean }): FileIo {
  return options.blockingIo === true ? blockingFileIo : promiseFileIo;
}
