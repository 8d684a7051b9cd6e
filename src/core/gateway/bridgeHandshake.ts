import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The first line a bridge sends on the gateway socket, before any MCP message: it names the server and
 * proves that the bridge was started from a definition this extension host handed out (the secret lives
 * only in the bridge's environment, readable by the same OS user). The gateway answers {@link BRIDGE_OK}
 * and only then reads MCP messages; anything else closes the connection.
 */
export interface BridgeHello {
  readonly mcpSecureBridge: 1;
  readonly server: string;
  readonly secret: string;
  /** The bridge's process id (shown in the log; lets tests inspect the process VS Code started). */
  readonly pid?: number;
}

/** The gateway's answer to a valid hello (one line). */
export const BRIDGE_OK = '{"mcpSecureBridge":1,"ok":true}';

/** The hello must arrive within this many bytes and milliseconds, or the connection is closed. */
export const HELLO_MAX_BYTES = 4096;
export const HELLO_TIMEOUT_MS = 5_000;

/** Environment variables the definition sets for the bridge. */
export const BridgeEnv = {
  socket: 'MCP_SECURE_GATEWAY_SOCKET',
  secret: 'MCP_SECURE_GATEWAY_SECRET',
  server: 'MCP_SECURE_GATEWAY_SERVER',
} as const;

/** A fresh per-activation gateway secret: 256 bits from the CSPRNG, hex. */
export function newGatewaySecret(): string {
  return randomBytes(32).toString('hex');
}

export function helloLine(server: string, secret: string, pid?: number): string {
  const hello: BridgeHello = { mcpSecureBridge: 1, server, secret, ...(pid !== undefined ? { pid } : {}) };
  return JSON.stringify(hello);
}

export type HelloVerdict =
  | { readonly ok: true; readonly server: string; readonly pid?: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'secret' };

/**
 * Check a hello line against the expected secret. The comparison is constant-time over SHA-256 digests,
 * so neither the secret's content nor its length leaks through timing. Reasons never contain the secret.
 */
export function checkHello(line: string, expectedSecret: string): HelloVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'malformed' };
  const hello = parsed as Partial<Record<keyof BridgeHello, unknown>>;
  if (
    hello.mcpSecureBridge !== 1 ||
    typeof hello.server !== 'string' ||
    hello.server.length === 0 ||
    hello.server.length > 64
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const given = typeof hello.secret === 'string' ? hello.secret : '';
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  if (!timingSafeEqual(digest(given), digest(expectedSecret)) || given.length === 0)
    return { ok: false, reason: 'secret' };
  return {
    ok: true,
    server: hello.server,
    ...(Number.isSafeInteger(hello.pid) && (hello.pid as number) > 0 ? { pid: hello.pid as number } : {}),
  };
}
