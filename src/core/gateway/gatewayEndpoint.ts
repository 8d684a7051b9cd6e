import * as path from 'node:path';

/**
 * Where the gateway listens: a Unix-domain socket inside a fresh private folder on Linux and macOS,
 * a named pipe on Windows (the pipe namespace is not a folder; the name carries a random part).
 * No TCP port is ever opened: code-server forwards loopback ports to the browser.
 */
export type GatewayPlatform = 'linux' | 'darwin' | 'win32' | (string & {});

/** `sun_path` limits including the terminating NUL: 108 bytes on Linux, 104 on macOS and the BSDs. */
export function maxSocketPathBytes(platform: GatewayPlatform): number {
  return platform === 'linux' ? 107 : 103;
}

/** Name of the socket file inside the private folder. */
export const SOCKET_FILE = 'gw.sock';
/** Prefix of the `mkdtemp` folder. */
export const SOCKET_DIR_PREFIX = 'mcps-';
/** `mkdtemp` appends six characters. */
const MKDTEMP_SUFFIX = 6;

/** The named pipe for Windows (`\\.\pipe\…`); `nonce` is random hex. */
export function windowsPipeName(nonce: string): string {
  return `\\\\.\\pipe\\mcp-secure-gateway-${nonce}`;
}

/** The socket path inside the folder `dir` (POSIX platforms). */
export function socketPathIn(dir: string): string {
  return path.posix.join(dir, SOCKET_FILE);
}

/**
 * The parent folder for the private socket folder: `tmpdir` when the final socket path fits the
 * platform's `sun_path`, else `/tmp` (code-server and CI runners often set long `TMPDIR`s).
 */
export function socketParent(platform: GatewayPlatform, tmpdir: string): string {
  const longest = path.posix.join(tmpdir, `${SOCKET_DIR_PREFIX}${'x'.repeat(MKDTEMP_SUFFIX)}`, SOCKET_FILE);
  return Buffer.byteLength(longest, 'utf8') <= maxSocketPathBytes(platform) ? tmpdir : '/tmp';
}
