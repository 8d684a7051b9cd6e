import { spawn, type ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import { LineRingBuffer } from './ringBuffer';
import { REDACTED } from '../common/redaction';

/** Cap on one JSON-RPC message read from a stdio server: 16 MiB. */
export const STDIO_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Grace period between closing the server's stdin and SIGTERM on close. */
export const STDIO_EOF_GRACE_MS = 500;
/** Grace period between SIGTERM and SIGKILL on close. */
export const STDIO_KILL_GRACE_MS = 2000;

export interface StdioLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The complete environment of the child (already minimal: see buildChildEnvironment). */
  readonly env: Record<string, string>;
}

/**
 * Optional message hooks of a {@link StdioTransport}: `outbound` may rewrite each message before it is
 * written (the shared-secret presenter adds the secret there); `inbound` sees each message read.
 */
export interface StdioMessageHooks {
  readonly outbound?: (message: JSONRPCMessage) => JSONRPCMessage;
  readonly inbound?: (message: JSONRPCMessage) => void;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * The error for a command that could not be started at all (not installed, a typo, not executable):
 * names the command and the operating system's reason, e.g. `ENOENT` or `EACCES`.
 */
export function spawnError(command: string, err: NodeJS.ErrnoException): McpSecureError {
  const reasons: Record<string, string> = {
    ENOENT: 'not found: check the path, or that it is installed and on PATH',
    EACCES: 'permission denied: the file is not executable',
    ENOTDIR: 'a component of the path is not a directory',
  };
  const code = err.code ?? 'spawn error';
  const reason = reasons[code] ? `${code}, ${reasons[code]}` : code;
  return new McpSecureError('connection_failed', `Could not start the MCP server command "${command}" (${reason}).`, {
    cause: err,
  });
}

/**
 * MCP stdio transport (MCP transports 2025-11-25 §stdio): newline-delimited JSON-RPC over the child's
 * stdin/stdout; stderr is captured into a bounded ring buffer and logged (with known secrets masked).
 * The child runs in its own process group on POSIX so `close()` tears down the whole tree; argv is
 * exactly `command` + `args` (never a secret) and no shell is involved.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child?: ChildProcess;
  private readonly readBuffer = new ReadBuffer({ maxBufferSize: STDIO_MAX_MESSAGE_BYTES });
  private readonly stderrLines = new LineRingBuffer();
  private exit?: ExitInfo;
  private closed = false;
  private spawnFailed = false;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;

  constructor(
    private readonly launch: StdioLaunch,
    private readonly logger: Logger,
    /** Values masked in logged stderr (the shared secret). */
    private readonly masked: readonly string[] = [],
    private readonly hooks: StdioMessageHooks = {},
  ) {
    this.exited = new Promise((r) => (this.resolveExited = r));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }
  /** The last lines the server wrote to stderr (masked). */
  stderrTail(): string[] {
    return this.stderrLines.snapshot().map((l) => this.mask(l));
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.launch.command, [...this.launch.args], {
        cwd: this.launch.cwd,
        env: this.launch.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        detached: process.platform !== 'win32',
      });
      this.child = child;
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid) {
          this.onerror?.(
            new McpSecureError('connection_failed', `The MCP server process failed (${err.code ?? 'error'}).`, {
              cause: err,
            }),
          );
          return;
        }
        // The spawn itself failed: Node never emits 'exit' for a process that never ran, so settle here.
        this.spawnFailed = true;
        this.resolveExited();
        reject(spawnError(this.launch.command, err));
      });
      child.once('spawn', () => resolve());
      child.on('exit', (code, signal) => this.handleExit(code, signal));
      child.stdout?.on('data', (chunk: Buffer) => this.handleStdout(chunk));
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => this.handleStderr(text));
      child.stdin?.on('error', (err) => this.onerror?.(err));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exit || this.closed) {
        reject(new McpSecureError('server_exited', 'The MCP server process is not running.'));
        return;
      }
      const outbound = this.hooks.outbound ? this.hooks.outbound(message) : message;
      if (stdin.write(serializeMessage(outbound))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    if (child && !this.exit && !this.spawnFailed) {
      // MCP 2025-11-25 §Lifecycle/Shutdown (stdio): close the server's input first, then SIGTERM if it
      // does not exit, then SIGKILL. Messages already written (a `notifications/cancelled`) are read first.
      child.stdin?.end();
      const term = setTimeout(() => this.signal('SIGTERM'), STDIO_EOF_GRACE_MS);
      const kill = setTimeout(() => this.signal('SIGKILL'), STDIO_EOF_GRACE_MS + STDIO_KILL_GRACE_MS);
      await this.exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    // The group may still hold grandchildren after the leader exited.
    this.signal('SIGKILL');
    this.readBuffer.clear();
    this.onclose?.();
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      if (process.platform !== 'win32') process.kill(-pid, sig);
      else if (sig === 'SIGKILL')
        spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
          'error',
          () => undefined,
        );
      else this.child?.kill(sig);
    } catch {
      // ESRCH: already gone.
    }
  }

  private handleStdout(chunk: Buffer): void {
    try {
      this.readBuffer.append(chunk);
    } catch (err) {
      // One message larger than the cap: the stream cannot be resynchronised, so end the connection.
      this.onerror?.(
        new McpSecureError(
          'protocol_error',
          `The MCP server sent a message larger than ${STDIO_MAX_MESSAGE_BYTES} bytes.`,
          { cause: err },
        ),
      );
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (err) {
        // The offending line is already consumed (non-JSON lines are skipped silently by the SDK).
        this.onerror?.(
          new McpSecureError('protocol_error', 'The MCP server wrote a line that is not valid JSON-RPC.', {
            cause: err,
          }),
        );
        continue;
      }
      if (!message) return;
      this.hooks.inbound?.(message);
      this.onmessage?.(message);
    }
  }

  private handleStderr(text: string): void {
    // Mask whole lines (a secret may span two chunks, never two lines).
    for (const line of this.stderrLines.push(text)) if (line.trim()) this.logger.debug(`stderr: ${this.mask(line)}`);
  }

  private mask(line: string): string {
    let clean = line;
    for (const secret of this.masked) if (secret) clean = clean.split(secret).join(REDACTED);
    return clean;
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    this.resolveExited();
    if (!this.closed) {
      this.logger.warn(`MCP server process exited (${signal ? `signal ${signal}` : `code ${code}`})`);
      this.closed = true;
      this.onclose?.();
    }
  }
}
