import type { Client, ClientCapabilities, Transport } from '@modelcontextprotocol/client';
import type { ErrorContext } from './errorMapping';
import { McpSecureError } from '../errors';
import { identityFromStdioSecret } from '../grantIdentity';
import { systemClock, type Clock, type Logger } from '../ports';
import type { RequestAuthorizer } from '../requestAuthorizer';
import type { ToolCallObserver } from '../toolCallObserver';
import { STARTING, STOPPED, type ConnectionState } from './connectionState';
import type { ConnectionIdentity, McpConnection } from './mcpConnection';
import { AuthActivity } from './requestDeadline';
import { DEFAULT_MAX_RESPONSE_BYTES } from './responseLimit';
import {
  EXTENSION_CLIENT_INFO,
  STATELESS_PROTOCOL_VERSION,
  type ClientInfo,
  type ProtocolChoice,
} from './protocolVersions';
import type { HttpServerDefinition, ServerDefinition, StdioServerDefinition } from './serverDefinition';
import { secretFingerprint } from './stdioSecret';
import type { ElicitationHandler } from './types';
import { Emitter, type Event } from '../common/event';
import { toDisposable, type Disposable } from '../common/lifecycle';

/** Default per-request timeout (tools/list, tools/call, the handshake): 60 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface ConnectionManagerOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The OAuth engine's authorizer for an HTTP server (`anonymousAuthorizer` for servers without auth). */
  readonly authorizerFor: (def: HttpServerDefinition) => RequestAuthorizer;
  /** The stored shared secret of a stdio server (generated and stored by the host on first use). */
  readonly stdioSecretFor: (def: StdioServerDefinition) => Promise<string>;
  /**
   * Values of the definition's `secretHeaders` / `secretEnv`, from secret storage (missing names are
   * simply not sent). Without it such a definition connects without them.
   */
  readonly definitionSecretsFor?: (def: ServerDefinition) => Promise<Readonly<Record<string, string>>>;
  /** Who is calling, resolved per call. Defaults: stdio → shared-secret fingerprint; HTTP → none. */
  readonly identityFor?: (def: ServerDefinition) => Promise<ConnectionIdentity>;
  readonly observers?: readonly ToolCallObserver[];
  /** Form elicitation; without it the client does not declare the `elicitation` capability. */
  readonly elicitation?: ElicitationHandler;
  /**
   * Deadline of each MCP request. A function is read at every request (connections already open
   * included), so a host setting can change it without reconnecting.
   */
  readonly requestTimeoutMs?: number | (() => number);
  readonly maxResponseBytes?: number;
  /** `clientInfo` name/version sent to servers. */
  readonly clientInfo?: ClientInfo;
  /** Network seam for tests and the CLI. */
  readonly fetch?: typeof fetch;
}

/** A connected SDK client and its transport, as `openHttp`/`openStdio` hand them to `wrap`. */
interface OpenedTransport {
  readonly def: ServerDefinition;
  readonly client: Client;
  readonly transport: Transport;
  readonly wire: McpConnection['wire'];
  readonly logger: Logger;
  /** Facts about the transport an error message may cite (e.g. the stdio child's exit). */
  readonly errorContext: () => ErrorContext;
  /** Fingerprint of the stdio shared secret (the default caller identity). */
  readonly fingerprint?: string;
  /** HTTP only: sign-in activity that pauses the request deadline. */
  readonly activity?: AuthActivity;
  /** stdio only: the child's last stderr lines. */
  readonly stderrTail?: () => string[];
}

/** The SDK-dependent half of the connection layer (see sdkRuntime.ts). */
type SdkRuntime = typeof import('./sdkRuntime');

/** A server's connection state changed. */
export interface StateChange {
  readonly id: string;
  readonly state: ConnectionState;
}

interface Entry {
  state: ConnectionState;
  connection?: McpConnection;
  /** Bumped on every connect/disconnect so a stale attempt cannot overwrite a newer state. */
  generation: number;
}

/**
 * Owns every MCP connection of the host: connects HTTP and stdio servers, tracks their state as a
 * tagged union, and hands out `McpConnection`s whose tool calls pass through the observers.
 */
export class ConnectionManager {
  private readonly entries = new Map<string, Entry>();
  private readonly stateChanged = new Emitter<StateChange>();
  readonly onDidChangeState: Event<StateChange> = this.stateChanged.event;
  /** Live list shared with every connection, so observers added later see later calls. */
  private readonly observers: ToolCallObserver[];
  private readonly clock: Clock;
  private sdkRuntime: Promise<SdkRuntime> | undefined;

  constructor(private readonly opts: ConnectionManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.observers = [...(opts.observers ?? [])];
  }

  /** The current request deadline (see `requestTimeoutMs`). */
  private get timeoutMs(): number {
    const t = this.opts.requestTimeoutMs;
    return (typeof t === 'function' ? t() : t) ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Add a tool-call observer (e.g. the audit trail once its store is open); applies to existing connections too. */
  addObserver(observer: ToolCallObserver): Disposable {
    this.observers.push(observer);
    return toDisposable(() => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    });
  }

  /** Connect (or reconnect) a server. Rejects with a typed `McpSecureError`; the state becomes `error`. */
  async connect(def: ServerDefinition, options: { signal?: AbortSignal } = {}): Promise<McpConnection> {
    await this.disconnect(def.id);
    const entry = this.entry(def.id);
    const generation = ++entry.generation;
    this.setState(def.id, STARTING);
    const logger = this.opts.logger.child(`mcp:${def.id}`);
    try {
      const connection =
        def.transport === 'http'
          ? await this.openHttp(def, logger, options.signal)
          : await this.openStdio(def, logger, options.signal);
      if (entry.generation !== generation) {
        await connection.close();
        throw new McpSecureError('cancelled', 'The connection attempt was superseded.');
      }
      entry.connection = connection;
      this.setState(def.id, connection.runningState());
      logger.info(`connected (${connection.wire}, protocol ${connection.protocolVersion ?? 'unknown'})`);
      return connection;
    } catch (err) {
      const typed =
        err instanceof McpSecureError
          ? err
          : new McpSecureError('connection_failed', 'Could not connect.', { cause: err });
      if (entry.generation === generation)
        this.setState(def.id, { kind: 'error', code: typed.code, message: typed.message });
      logger.warn(`connect failed: ${typed.code}: ${typed.message}`);
      throw typed;
    }
  }

  async disconnect(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.generation++;
    const connection = entry.connection;
    entry.connection = undefined;
    if (connection) await connection.close();
    if (entry.state.kind !== 'stopped') this.setState(id, STOPPED);
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.disconnect(id)));
  }

  get(id: string): McpConnection | undefined {
    return this.entries.get(id)?.connection;
  }

  state(id: string): ConnectionState {
    return this.entries.get(id)?.state ?? STOPPED;
  }

  /** The stored values of exactly the names the definition lists (nothing when it lists none). */
  private async definitionSecrets(
    def: ServerDefinition,
    names: readonly string[] | undefined,
  ): Promise<Readonly<Record<string, string>> | undefined> {
    if (!names?.length || !this.opts.definitionSecretsFor) return undefined;
    const values = await this.opts.definitionSecretsFor(def);
    return Object.fromEntries(names.flatMap((n) => (typeof values[n] === 'string' ? [[n, values[n]]] : [])));
  }

  /** Loads the MCP SDK on the first connect, not with the extension (activation connects nothing). */
  private sdk(): Promise<SdkRuntime> {
    return (this.sdkRuntime ??= import('./sdkRuntime'));
  }

  private async openHttp(def: HttpServerDefinition, logger: Logger, signal?: AbortSignal): Promise<McpConnection> {
    const activity = new AuthActivity();
    const sdk = await this.sdk();
    const { client, transport, wire } = await sdk.connectHttp(def, {
      activity,
      authorizer: this.opts.authorizerFor(def),
      logger,
      createClient: (protocol) => this.createClient(sdk, def, protocol, logger),
      requestTimeoutMs: this.timeoutMs,
      maxResponseBytes: this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      signal,
      baseFetch: this.opts.fetch,
      secretHeaders: await this.definitionSecrets(def, def.secretHeaders),
    });
    return this.wrap(sdk, { def, client, transport, wire, logger, errorContext: () => ({}), activity });
  }

  private async openStdio(def: StdioServerDefinition, logger: Logger, signal?: AbortSignal): Promise<McpConnection> {
    const secret = def.secret.mode === 'none' ? undefined : await this.opts.stdioSecretFor(def);
    const sdk = await this.sdk();
    const { client, transport } = await sdk.connectStdio(def, {
      logger,
      createClient: (protocol) => this.createClient(sdk, def, protocol, logger),
      secret,
      secretEnv: await this.definitionSecrets(def, def.secretEnv),
      requestTimeoutMs: this.timeoutMs,
      signal,
    });
    return this.wrap(sdk, {
      def,
      client,
      transport,
      wire: 'stdio',
      logger,
      errorContext: () => ({ exited: transport.exitInfo }),
      fingerprint: secret ? secretFingerprint(secret) : undefined,
      stderrTail: () => transport.stderrTail(),
    });
  }

  private wrap(sdk: SdkRuntime, opened: OpenedTransport): McpConnection {
    const { def, client, transport, wire, logger, errorContext, fingerprint, activity, stderrTail } = opened;
    const timeoutMs = (): number => this.timeoutMs;
    const connection = new sdk.McpConnection({
      definition: def,
      client,
      transport,
      wire,
      logger,
      clock: this.clock,
      observers: this.observers,
      identity: () => this.identity(def, fingerprint),
      // A getter, so a changed deadline applies to calls on connections that are already open.
      get requestTimeoutMs(): number {
        return timeoutMs();
      },
      activity,
      stderrTail,
      errorContext,
    });
    client.onclose = () => this.handleClosed(def.id, connection, errorContext().exited);
    return connection;
  }

  private async identity(def: ServerDefinition, fingerprint?: string): Promise<ConnectionIdentity> {
    if (this.opts.identityFor) return this.opts.identityFor(def);
    return identityFromStdioSecret(fingerprint);
  }

  /** The transport closed under us (stdio child died, HTTP stream ended): record it as an error state. */
  private handleClosed(
    id: string,
    connection: McpConnection,
    exited?: { code: number | null; signal: string | null },
  ): void {
    const entry = this.entries.get(id);
    if (!entry || entry.connection !== connection || connection.isClosed) return;
    entry.connection = undefined;
    void connection.close();
    const how = exited ? (exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`) : undefined;
    this.setState(
      id,
      how
        ? { kind: 'error', code: 'server_exited', message: `The MCP server process exited (${how}).` }
        : { kind: 'error', code: 'connection_failed', message: 'The connection to the MCP server was closed.' },
    );
  }

  private createClient(sdk: SdkRuntime, def: ServerDefinition, protocol: ProtocolChoice, logger: Logger): Client {
    const info = this.opts.clientInfo ?? EXTENSION_CLIENT_INFO;
    const capabilities: ClientCapabilities = this.opts.elicitation
      ? { elicitation: { form: { applyDefaults: true } } }
      : {};
    // A stdio shared secret is never part of `clientInfo` here: the transport presents it (stdioSecretPresenter.ts).
    const client = new sdk.Client(
      { ...info },
      {
        capabilities,
        versionNegotiation:
          protocol === 'auto'
            ? { mode: 'auto' }
            : protocol === STATELESS_PROTOCOL_VERSION
              ? { mode: { pin: STATELESS_PROTOCOL_VERSION } }
              : { mode: 'legacy' },
      },
    );
    client.onerror = (err) => logger.debug(`transport: ${err instanceof Error ? err.name : 'error'}`);
    if (this.opts.elicitation) sdk.installElicitationHandler(client, def.id, this.opts.elicitation, logger);
    return client;
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { state: STOPPED, generation: 0 };
      this.entries.set(id, e);
    }
    return e;
  }

  private setState(id: string, state: ConnectionState): void {
    this.entry(id).state = state;
    this.stateChanged.fire({ id, state });
  }
}
