/**
 * Segment files of the audit store: `audit-00000001.jsonl`, `audit-00000002.jsonl`, … (one canonical
 * JSON record per line, RFC 8259 text, `\n` terminated), plus the retained-chain anchor and the
 * quarantine side file. Pure file helpers, no chain logic.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export const SEGMENT_RE = /^audit-(\d{8})\.jsonl$/;
export const ANCHOR_FILE = 'anchor.json';
export const QUARANTINE_FILE = 'quarantine.jsonl';
export const LOCK_FILE = '.lock';

/** The audit folder is private to the user (records name servers, tools and arguments). */
export const DIR_MODE = 0o700;
/** Every file in the audit folder (segments, anchor, quarantine, lock and its side files). */
export const FILE_MODE = 0o600;

/**
 * Creates the folder 0700 and tightens a pre-existing folder and every regular file in it to
 * 0700/0600 (a folder created by an older version under the default umask was 0755 with 0644 files).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
  await fsp.chmod(dir, DIR_MODE);
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) await fsp.chmod(join(dir, entry.name), FILE_MODE).catch(() => undefined);
  }
}

export interface SegmentInfo {
  readonly number: number;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Where the retained chain starts: segments before `firstSegment` were removed (retention or clear)
 * and the first kept record links to `prevHash`.
 */
export interface ChainAnchor {
  readonly firstSegment: number;
  readonly prevHash: string;
  readonly reason: 'retention' | 'clear';
  readonly at: string;
  /** Records of the chain before the first kept one (removed by retention or clear). */
  readonly records?: number;
}

export function segmentName(n: number): string {
  return `audit-${String(n).padStart(8, '0')}.jsonl`;
}

/** Segments in chain order (only those at or after the anchor). */
export async function listSegments(dir: string, anchor?: ChainAnchor): Promise<SegmentInfo[]> {
  const names = await fsp.readdir(dir);
  const out: SegmentInfo[] = [];
  for (const name of names) {
    const m = SEGMENT_RE.exec(name);
    if (!m) continue;
    const n = Number(m[1]);
    if (anchor && n < anchor.firstSegment) continue;
    const st = await fsp.stat(join(dir, name)).catch(() => undefined);
    if (st) out.push({ number: n, name, path: join(dir, name), size: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.number - b.number);
}

export async function readAnchor(dir: string): Promise<ChainAnchor | undefined> {
  try {
    const a = JSON.parse(await fsp.readFile(join(dir, ANCHOR_FILE), 'utf8')) as ChainAnchor;
    return typeof a.firstSegment === 'number' && typeof a.prevHash === 'string' ? a : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes the anchor atomically (temp file + rename). */
export async function writeAnchor(dir: string, anchor: ChainAnchor): Promise<void> {
  const tmp = join(dir, `${ANCHOR_FILE}.tmp`);
  const fh = await fsp.open(tmp, 'w', FILE_MODE);
  try {
    await fh.writeFile(JSON.stringify(anchor));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, join(dir, ANCHOR_FILE));
}

export interface LineVisit {
  /** 1-based line number within the segment. */
  readonly line: number;
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

const CHUNK = 4 * 1024 * 1024;

/**
 * Calls `visit` for every complete (`\n` terminated) line between `from` and `to` (bytes). Returns the
 * offset just after the last complete line, so a trailing partial line is left for the caller.
 */
export async function scanLines(
  path: string,
  visit: (line: LineVisit) => void,
  opts: { from?: number; to?: number; firstLine?: number; chunkBytes?: number } = {},
): Promise<number> {
  const fh = await fsp.open(path, 'r');
  try {
    const to = opts.to ?? (await fh.stat()).size;
    let pos = opts.from ?? 0;
    let lineNo = opts.firstLine ?? 1;
    let carry = Buffer.alloc(0);
    let carryStart = pos;
    while (pos < to) {
      const buf = Buffer.allocUnsafe(Math.min(opts.chunkBytes ?? CHUNK, to - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        visit({
          line: lineNo++,
          offset: carryStart + start,
          length: nl - start,
          text: data.toString('utf8', start, nl),
        });
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      carryStart += start;
    }
    return carryStart;
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes at `offset` as UTF-8. */
export async function readSlice(path: string, offset: number, length: number): Promise<string> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The last complete line of a file and what trails it (a torn line), reading only the tail. */
export async function readTail(
  path: string,
  size: number,
): Promise<{ lastLine?: LineVisit; tornOffset: number; torn: Buffer }> {
  const fh = await fsp.open(path, 'r');
  try {
    let window = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - window);
      const buf = Buffer.allocUnsafe(size - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      const data = buf.subarray(0, bytesRead);
      const lastNl = data.lastIndexOf(10);
      const torn = Buffer.from(lastNl === -1 ? data : data.subarray(lastNl + 1));
      if (lastNl !== -1) {
        const prevNl = lastNl === 0 ? -1 : data.lastIndexOf(10, lastNl - 1);
        if (prevNl !== -1 || start === 0) {
          const s = prevNl + 1;
          const lastLine = { line: 0, offset: start + s, length: lastNl - s, text: data.toString('utf8', s, lastNl) };
          return { lastLine, tornOffset: start + lastNl + 1, torn };
        }
      } else if (start === 0) {
        return { tornOffset: 0, torn };
      }
      window *= 4;
    }
  } finally {
    await fh.close();
  }
}

/**
 * The last `count` complete lines of a file (oldest first), reading only its tail: the window grows
 * until it holds them or reaches the start. A trailing partial (torn) line is not returned.
 */
export async function readLastLines(path: string, size: number, count: number): Promise<string[]> {
  if (count <= 0 || size <= 0) return [];
  const fh = await fsp.open(path, 'r');
  try {
    for (let window = 64 * 1024; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buf = Buffer.allocUnsafe(size - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      const text = buf.toString('utf8', 0, bytesRead);
      const end = text.lastIndexOf('\n');
      // the first piece may be the cut end of a line before the window (unless the window starts the file)
      const pieces = end === -1 ? [] : text.slice(0, end).split('\n');
      if (pieces.length > count || start === 0) return pieces.slice(-count);
    }
  } finally {
    await fh.close();
  }
}
