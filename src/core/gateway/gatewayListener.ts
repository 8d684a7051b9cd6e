import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../ports';
import { BRIDGE_OK, HELLO_MAX_BYTES, HELLO_TIMEOUT_MS, checkHello } from './bridgeHandshake';
import {
  SOCKET_DIR_PREFIX,
  socketParent,
  socketPathIn,
  windowsPipeName,
  type GatewayPlatform,
} from './gatewayEndpoint';
import type { JsonRpcChannel } from './jsonRpcChannel';
import { LineDecoder } from './lineDecoder';

export interface GatewayListenerOptions {
  readonly secret: string;
  readonly logger: Logger;
  /** Is this a server the gateway currently offers? Unknown ids are refused after a valid secret. */
  readonly accepts: (serverId: string) => boolean;
  readonly onSession: (channel: JsonRpcChannel) => void;
  readonly platform?: GatewayPlatform;
  /** Parent of the private socket folder (default: the OS temp folder, or /tmp when that is too long). */
  readonly tmpRoot?: string;
}

/**
 * The extension host's end of the stdio bridges: a Unix-domain socket (mode 0600) in a fresh `mkdtemp`
 * folder (mode 0700), or a named pipe on Windows. Each connection must first send a valid hello line
 * ({@link checkHello}); a wrong or missing secret closes it and is logged (without the secret). After
 * that, every line is one JSON-RPC message for the proxy session.
 */
export class GatewayListener {
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    readonly endpoint: string,
    /** The private folder holding the socket (undefined for a Windows pipe). */
    readonly dir: string | undefined,
    private readonly opts: GatewayListenerOptions,
  ) {
    server.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(opts: GatewayListenerOptions): Promise<GatewayListener> {
    const platform = opts.platform ?? process.platform;
    let dir: string | undefined;
    let endpoint: string;
    if (platform === 'win32') {
      endpoint = windowsPipeName(randomBytes(16).toString('hex'));
    } else {
      dir = await fs.mkdtemp(path.join(socketParent(platform, opts.tmpRoot ?? os.tmpdir()), SOCKET_DIR_PREFIX));
      await fs.chmod(dir, 0o700);
      endpoint = socketPathIn(dir);
    }
    const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: false });
    const listener = new GatewayListener(server, endpoint, dir, opts);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: endpoint, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      if (dir) await fs.chmod(endpoint, 0o600);
    } catch (err) {
      await listener.close();
      throw err;
    }
    server.on('error', (err) => opts.logger.error(`gateway socket error: ${err.name}`));
    return listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true });
  }

  private onConnection(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let received = 0;
    let helloBuffer = Buffer.alloc(0);
    const refuse = (why: string): void => {
      this.opts.logger.warn(`gateway: bridge connection refused (${why})`);
      socket.destroy();
    };
    const timer = setTimeout(() => refuse('no hello in time'), HELLO_TIMEOUT_MS);
    const onHelloData = (chunk: Buffer): void => {
      received += chunk.length;
      helloBuffer = Buffer.concat([helloBuffer, chunk]);
      const nl = helloBuffer.indexOf(0x0a);
      if (nl === -1) {
        if (received > HELLO_MAX_BYTES) {
          clearTimeout(timer);
          refuse('hello too long');
        }
        return;
      }
      clearTimeout(timer);
      socket.off('data', onHelloData);
      const verdict = checkHello(helloBuffer.subarray(0, nl).toString('utf8'), this.opts.secret);
      if (!verdict.ok) return refuse(verdict.reason === 'secret' ? 'wrong or missing secret' : 'malformed hello');
      if (!this.opts.accepts(verdict.server)) return refuse('unknown server');
      socket.write(`${BRIDGE_OK}\n`);
      this.opts.onSession(this.channelFor(socket, verdict.server, verdict.pid, helloBuffer.subarray(nl + 1)));
    };
    socket.on('data', onHelloData);
  }

  private channelFor(socket: net.Socket, serverId: string, peerPid: number | undefined, rest: Buffer): JsonRpcChannel {
    const decoder = new LineDecoder();
    const messageListeners: ((m: unknown) => void)[] = [];
    const closeListeners: (() => void)[] = [];
    const backlog: unknown[] = [];
    let ended = false;
    const deliver = (chunk: Buffer): void => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch {
        this.opts.logger.warn(`gateway: ${serverId}: message too large, session closed`);
        socket.destroy();
        return;
      }
      for (const line of lines) {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          message = PARSE_ERROR;
        }
        if (messageListeners.length === 0) backlog.push(message);
        for (const l of messageListeners) l(message);
      }
    };
    socket.on('data', deliver);
    socket.on('close', () => {
      ended = true;
      for (const l of closeListeners.splice(0)) l();
    });
    if (rest.length) deliver(rest);
    return {
      serverId,
      ...(peerPid !== undefined ? { peerPid } : {}),
      send: (message) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
      },
      onMessage: (listener) => {
        messageListeners.push(listener);
        for (const m of backlog.splice(0)) listener(m);
      },
      onClose: (listener) => {
        if (ended) listener();
        else closeListeners.push(listener);
      },
      close: () => socket.end(),
    };
  }
}

/** Delivered to the session for a line that is not JSON (it answers JSON-RPC -32700). */
export const PARSE_ERROR: unique symbol = Symbol('parse-error');
