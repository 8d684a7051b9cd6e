/**
 * Ports: what the core needs from its host. The VS Code adapters (src/vscode) and the CLI (src/cli)
 * implement these; unit tests use the small working in-memory versions in ./memoryPorts.ts.
 */

/** Secret storage (VS Code SecretStorage in the extension). A failed write must throw, never be swallowed. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Fires with the changed key when another writer (another window) changes a secret. */
  onDidChange?(listener: (key: string) => void): { dispose(): void };
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A logger. Implementations redact known secrets and secret-shaped values before writing. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
  /** A logger whose lines carry a component tag, e.g. `[oauth]`. */
  child(component: string): Logger;
}

/** Time source, injectable so expiry logic is testable without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Opens an authorization URL for the human. The URL has already passed the URL allowlist; the
 * implementation must use the editor API (or hand it to a user-named command), never a shell string.
 */
export interface BrowserOpener {
  open(url: URL): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };
