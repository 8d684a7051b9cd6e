import type { Client } from '@modelcontextprotocol/client';
import type { Logger } from '../ports';
import { buildChildEnvironment } from './childEnvironment';
import { toConnectError } from './errorMapping';
import { NO_SDK_TIMEOUT, withDeadline } from './requestDeadline';
import type { StdioServerDefinition } from './serverDefinition';
import { StdioTransport } from './stdioTransport';

export interface StdioConnectDeps {
  readonly logger: Logger;
  /** Builds the SDK client; `secret` goes into `clientInfo.secret` when the mode presents it in the handshake. */
  readonly createClient: (handshakeSecret: string | undefined) => Client;
  readonly secret: string | undefined;
  /** Values of the definition's `secretEnv`, from secret storage: into the child's environment only. */
  readonly secretEnv?: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface StdioConnected {
  readonly client: Client;
  readonly transport: StdioTransport;
}

/**
 * Start a stdio server and run the `initialize` handshake (MCP 2025-11-25 §Lifecycle). The secret goes
 * into the child's environment (`env`/`both`) and into `clientInfo.secret` (`handshake`/`both`) — never
 * into argv. A server that refuses the handshake or exits is reported with a typed error.
 */
export async function connectStdio(def: StdioServerDefinition, deps: StdioConnectDeps): Promise<StdioConnected> {
  const mode = def.secret.mode;
  const inEnv = deps.secret !== undefined && (mode === 'env' || mode === 'both');
  const inHandshake = deps.secret !== undefined && (mode === 'handshake' || mode === 'both');
  const env = buildChildEnvironment({
    definitionEnv: { ...def.env, ...deps.secretEnv },
    secret: inEnv && deps.secret ? { name: def.secret.envVar, value: deps.secret } : undefined,
  });
  const transport = new StdioTransport({ command: def.command, args: def.args, cwd: def.cwd, env }, deps.logger, [
    ...(deps.secret ? [deps.secret] : []),
    ...Object.values(deps.secretEnv ?? {}),
  ]);
  const client = deps.createClient(inHandshake ? deps.secret : undefined);
  try {
    await withDeadline(deps.requestTimeoutMs, undefined, deps.signal, (signal) =>
      client.connect(transport, { timeout: NO_SDK_TIMEOUT, signal }),
    );
    return { client, transport };
  } catch (err) {
    await transport.close().catch(() => undefined);
    const typed = toConnectError(err, { exited: transport.exitInfo });
    if (typed.code === 'protocol_error' || typed.code === 'server_exited') {
      const tail = transport.stderrTail().slice(-1)[0];
      deps.logger.warn(`stdio server refused the connection${tail ? `; last stderr line: ${tail}` : ''}`);
    }
    throw typed;
  }
}
