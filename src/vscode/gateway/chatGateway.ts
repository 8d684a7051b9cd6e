import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import { newGatewaySecret } from '../../core/gateway/bridgeHandshake';
import { GatewayListener } from '../../core/gateway/gatewayListener';
import type { JsonRpcChannel } from '../../core/gateway/jsonRpcChannel';
import type { CallPreflight, ProxySession } from '../../core/gateway/proxySession';
import { UpstreamEvents } from '../../core/gateway/upstreamEvents';
import type { McpConnection } from '../../core/mcp/mcpConnection';
import type { ServerDefinition } from '../../core/mcp/serverDefinition';
import type { Logger } from '../../core/ports';
import type { ToolCallObserver, ToolCallOutcome } from '../../core/toolCallObserver';
import { systemClock } from '../../core/ports';
import { ToolPinning } from './toolPinning';
import { GatewayCommands, Settings } from '../constants';
import type { ServerActions } from '../serverActions';
import type { ServerRegistry } from '../serverRegistry';
import { safeText } from '../../core/common/safeText';
import { Strings } from '../strings';
import { GatewayDefinitions, type OfferedDefinition } from './gatewayDefinitions';
import { GatewayPolicy } from './gatewayPolicy';
import { SingleFlight } from '../../core/common/async';

/** Coalescing window for re-rendering chat call counts in the Servers view. */
const COUNT_REFRESH_MS = 250;

export interface ChatGatewayDeps {
  readonly registry: ServerRegistry;
  readonly actions: ServerActions;
  readonly logger: Logger;
  /** Registers a value the log must never show (the gateway secret). */
  readonly redact: (value: string) => void;
  /** Absolute path of dist/bridge.js. */
  readonly bridgeScript: string;
  readonly version: string;
  readonly requestTimeoutMs: number;
  /** Events after which VS Code must re-read the definitions (sign-in state). */
  readonly changes: readonly vscode.Event<unknown>[];
  /** Told about chat calls that never reached a connection (the audit trail). */
  readonly observers: readonly ToolCallObserver[];
  /** Step-up before a call whose required scope is known not to be granted. */
  readonly preflight?: CallPreflight;
  /** Where tool pins are kept (`ExtensionContext.globalState`). */
  readonly state: vscode.Memento;
}

/** A live bridge session, as the test API and the log describe it. */
export interface GatewaySessionInfo {
  readonly serverId: string;
  readonly pid: number | undefined;
}

/**
 * The gateway: every configured server offered to VS Code's own MCP client (chat, agent,
 * `lm.invokeTool`) as a stdio bridge into this extension host, where the extension's connection, auth,
 * policy and audit apply. Owns the socket listener (closed and its folder removed on dispose) and the
 * definition provider registration.
 */
export class ChatGateway implements vscode.Disposable {
  private readonly sessions = new Map<ProxySession, GatewaySessionInfo>();
  private readonly events: UpstreamEvents;
  private readonly connecting = new SingleFlight<string, McpConnection>();
  private readonly calls = new Map<string, number>();
  private readonly callsChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCalls = this.callsChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.callsChanged];
  private readonly policy: GatewayPolicy;
  readonly pins: ToolPinning;
  private countTimer: NodeJS.Timeout | undefined;

  private listener: GatewayListener | undefined;

  private constructor(
    private readonly deps: ChatGatewayDeps,
    private readonly listening: Promise<GatewayListener>,
    readonly definitions: GatewayDefinitions,
  ) {
    listening.then(
      (l) => {
        this.listener = l;
        deps.logger.info(
          `gateway listening (${l.dir ? 'unix socket' : 'named pipe'}); ${definitions.current().length} server(s) offered to chat`,
        );
      },
      (e: unknown) => deps.logger.error('the chat gateway could not start', e),
    );
    this.events = new UpstreamEvents(deps.logger);
    this.policy = new GatewayPolicy(deps.registry, deps.logger, () => {
      for (const o of definitions.current()) this.toolsChanged(o.def.id);
    });
    this.pins = new ToolPinning(deps.state, (serverId, tool, args, caller, outcome) =>
      this.recordPinEvent(serverId, tool, args, caller, outcome),
    );
    this.disposables.push(
      this.pins,
      this.pins.onDidChange(() => this.callsChanged.fire()),
      this.policy,
      definitions,
      deps.registry.onDidChange(() => this.closeUnoffered()),
      definitions.onDidChange(() => this.closeUnoffered()),
    );
  }

  /**
   * Registers the definition provider now (activation must) and starts the socket listener in the
   * background: activation does not wait for the socket; VS Code's request for the definitions does.
   */
  static start(deps: ChatGatewayDeps): ChatGateway {
    const secret = newGatewaySecret();
    deps.redact(secret);
    // The listener's callbacks reach the gateway built just below.
    const ref: { gateway?: ChatGateway } = {};
    const listening = GatewayListener.start({
      secret,
      logger: deps.logger,
      accepts: (id) => ref.gateway?.definitions.offered(id) !== undefined,
      onSession: (channel) => ref.gateway?.openSession(channel),
    });
    try {
      const definitions = new GatewayDefinitions({
        registry: deps.registry,
        secret,
        endpoint: listening.then((l) => l.endpoint),
        bridgeScript: deps.bridgeScript,
        changes: deps.changes,
      });
      const gateway = new ChatGateway(deps, listening, definitions);
      ref.gateway = gateway;
      return gateway;
    } catch (err) {
      // the socket is already on its way: a gateway that could not be built must not leave it listening
      void listening.then(
        (l) => l.close(),
        () => undefined,
      );
      throw err;
    }
  }

  /** Resolves once the socket listens (rejects when it cannot: nothing is offered to chat then). */
  get ready(): Promise<void> {
    return this.listening.then(() => undefined);
  }
  /** The socket (empty until {@link ready}). */
  get endpoint(): string {
    return this.listener?.endpoint ?? '';
  }
  get socketDir(): string | undefined {
    return this.listener?.dir;
  }

  liveSessions(): GatewaySessionInfo[] {
    return [...this.sessions.values()];
  }

  /** Chat calls served per server since activation. */
  callCount(serverId: string): number {
    return this.calls.get(serverId) ?? 0;
  }

  /** Tell VS Code that a server's tool list changed (policy or pin decisions). */
  toolsChanged(serverId: string): void {
    this.events.emit(serverId, { method: 'notifications/tools/list_changed' });
  }

  async close(): Promise<void> {
    clearTimeout(this.countTimer);
    for (const s of [...this.sessions.keys()]) s.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
    await this.listening.then(
      (l) => l.close(),
      () => undefined,
    );
  }

  dispose(): void {
    void this.close();
  }

  private openSession(channel: JsonRpcChannel): void {
    this.startSession(channel).catch((e: unknown) => {
      this.deps.logger.error(`gateway: the chat session for ${channel.serverId} could not start`, e);
      channel.close();
    });
  }

  private async startSession(channel: JsonRpcChannel): Promise<void> {
    const offered = this.definitions.offered(channel.serverId);
    if (!offered) return channel.close();
    // The proxy (and the MCP SDK it maps errors with) loads with the first chat session, not at
    // activation; the channel keeps what the bridge sends until the session listens.
    const { ProxySession } = await import('../../core/gateway/proxySession');
    const session = new ProxySession({
      channel,
      alias: offered.alias,
      version: this.deps.version,
      upstream: (signal) => this.upstream(offered.def.id, signal),
      events: this.events,
      requestTimeoutMs: this.deps.requestTimeoutMs,
      logger: this.deps.logger,
      explain: (e) => explain(this.deps.registry.get(offered.def.id) ?? offered.def, e),
      onToolCall: (id) => {
        this.calls.set(id, this.callCount(id) + 1);
        this.scheduleCountRefresh();
      },
      gate: (id, tool) => this.policy.gate(id, tool) ?? this.pins.gate(id, tool),
      onToolsListed: async (id, tools) => {
        const before = this.pins.summary(id).held;
        await this.pins.observe(id, tools);
        const held = this.pins.summary(id).held;
        if (held > before) void this.noticeHeldBack(offered.def.name, held);
      },
      ...(this.deps.preflight ? { preflight: this.deps.preflight } : {}),
      definition: offered.def,
      observers: this.deps.observers,
    });
    this.sessions.set(session, { serverId: channel.serverId, pid: channel.peerPid });
    this.deps.logger.info(
      `gateway: chat session opened for ${channel.serverId}${channel.peerPid ? ` (bridge pid ${channel.peerPid})` : ''}`,
    );
    channel.onClose(() => {
      this.sessions.delete(session);
      this.deps.logger.info(`gateway: chat session closed for ${channel.serverId}`);
    });
  }

  /** The extension's own connection (one connect at a time per server; the launch confirmation runs first). */
  private async upstream(id: string, signal: AbortSignal): Promise<McpConnection> {
    if (signal.aborted) throw new McpSecureError('cancelled', Strings.requestCancelled);
    if (!this.definitions.offered(id)) throw new McpSecureError('policy_denied', Strings.gatewayNotOffered);
    // Shared by every waiting request: one request's cancellation must not abort the others' connect.
    return this.connecting.run(id, () => this.deps.actions.connection(id));
  }

  /** An agent can make many calls in a row: the Servers view re-renders the counts at most every 250 ms. */
  private scheduleCountRefresh(): void {
    if (this.countTimer) return;
    this.countTimer = setTimeout(() => {
      this.countTimer = undefined;
      this.callsChanged.fire();
    }, COUNT_REFRESH_MS);
  }

  private async noticeHeldBack(serverName: string, count: number): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      Strings.toolsHeldBackNotice(safeText(serverName), count),
      Strings.reviewTools,
    );
    if (pick) await vscode.commands.executeCommand(GatewayCommands.reviewTools);
  }

  private async recordPinEvent(
    serverId: string,
    tool: string,
    args: Record<string, unknown>,
    caller: 'chat' | 'palette',
    outcome: ToolCallOutcome,
  ): Promise<void> {
    const definition = this.deps.registry.get(serverId);
    if (!definition) return;
    const { recordGatewayEvent } = await import('../../core/gateway/unreachableCall');
    await recordGatewayEvent(
      { definition, observers: this.deps.observers, clock: systemClock, logger: this.deps.logger },
      { tool, args, caller, startedAt: Date.now() },
      outcome,
    );
  }

  private closeUnoffered(): void {
    for (const [session, info] of this.sessions) if (!this.definitions.offered(info.serverId)) session.dispose();
    this.pins.retain((id) => this.definitions.offered(id) !== undefined);
  }
}

/** The message of an error the user fixes in the extension, naming the fix. */
function explain(def: ServerDefinition, e: McpSecureError): string {
  const name = safeText(def.name);
  switch (e.code) {
    case 'insufficient_scope':
    case 'step_up_refused':
    case 'step_up_limit':
    case 'forbidden':
      return Strings.gatewayNeedsStepUp(name, e.message);
    case 'not_signed_in':
    case 'unauthorized':
    case 'authorization_denied':
    case 'authorization_timeout':
    case 'authorization_cancelled':
    case 'refresh_failed_permanent':
      return Strings.gatewayNeedsSignIn(name);
    default:
      return Strings.gatewayServerFailed(name, e.message);
  }
}

/** The `mcpSecure.gateway.enabled` setting. */
export function gatewayEnabled(): boolean {
  return vscode.workspace.getConfiguration().get<boolean>(Settings.gatewayEnabled, true);
}

export type { OfferedDefinition };
