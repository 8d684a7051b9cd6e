import { McpSecureError } from '../errors';
import type { McpConnection } from '../mcp/mcpConnection';
import type { ToolInfo } from '../mcp/types';
import { systemClock, type Clock, type Logger } from '../ports';
import { DOWNSTREAM_PROTOCOL_VERSIONS, STATEFUL_PROTOCOL_VERSION } from '../mcp/protocolVersions';
import type { ServerDefinition } from '../mcp/serverDefinition';
import type { ToolCallObserver } from '../toolCallObserver';
import { reportUnreachableCall } from './unreachableCall';
import { RpcFailure, toRpcError } from './gatewayErrors';
import { PARSE_ERROR } from './gatewayListener';
import { RpcCodes, isRecord, type JsonRpcChannel } from './jsonRpcChannel';
import { forwardRequest, FORWARDED_REQUESTS, toServerCapabilities } from './upstreamRequests';
import type { ForwardedNotification, UpstreamEvents } from './upstreamEvents';

/** Tool policy: an error refuses a tool (it is hidden from `tools/list` and its calls are denied). */
export type ToolGate = (serverId: string, tool: ToolInfo) => McpSecureError | undefined;

/**
 * Runs just before a call is sent, after the gate: may ask the user (step-up consent for a scope known
 * not to be granted, then sign-in) and answers the refusal, if any, which is audited as a local denial.
 */
export type CallPreflight = (serverId: string, tool: ToolInfo) => Promise<McpSecureError | undefined>;

export interface ProxySessionOptions {
  readonly channel: JsonRpcChannel;
  /** `serverInfo.name` towards VS Code: short, stable and unique per server (tool-name prefix). */
  readonly alias: string;
  readonly version: string;
  /** The live upstream connection (connecting, with launch confirmation and sign-in, when needed). */
  readonly upstream: (signal: AbortSignal) => Promise<McpConnection>;
  readonly events: UpstreamEvents;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  /** The message of an error the user must act on, naming the fix. */
  readonly explain: (error: McpSecureError) => string;
  readonly gate?: ToolGate;
  readonly preflight?: CallPreflight;
  /** Sees every upstream tool list before the gate filters it (tool pinning). */
  readonly onToolsListed?: (serverId: string, tools: readonly ToolInfo[]) => Promise<void>;
  /** Called once per `tools/call` that passed the gateway (counts for the Servers view). */
  readonly onToolCall?: (serverId: string) => void;
  /**
   * The server, and the observers (audit) told about a `tools/call` that could not even reach a
   * connection (sign-in refused, server unreachable): every chat call leaves one record.
   */
  readonly definition: ServerDefinition;
  readonly observers: readonly ToolCallObserver[];
  readonly clock?: Clock;
}

interface InFlight {
  readonly controller: AbortController;
  cancelledByClient: boolean;
}

/**
 * One bridge session: VS Code's MCP client on one side, the extension's own connection to the real
 * server (`ConnectionManager`) on the other. Requests are answered from the upstream connection;
 * `tools/call` goes through `McpConnection.callTool`, so every chat call is audited (caller `chat`)
 * like a palette call. Nothing is ever answered with an HTTP status (there is none on this path).
 */
export class ProxySession {
  private readonly serverId: string;
  private readonly inflight = new Map<string, InFlight>();
  private readonly subscription: { dispose(): void };
  private closed = false;

  constructor(private readonly opts: ProxySessionOptions) {
    this.serverId = opts.channel.serverId;
    this.subscription = opts.events.subscribe(this.serverId, (n) => this.forward(n));
    opts.channel.onMessage((m) => void this.onMessage(m));
    opts.channel.onClose(() => this.dispose());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription.dispose();
    for (const f of this.inflight.values())
      f.controller.abort(new McpSecureError('cancelled', 'The chat session ended.'));
    this.inflight.clear();
    this.opts.channel.close();
  }

  private forward(n: ForwardedNotification): void {
    if (!this.closed)
      this.opts.channel.send({ jsonrpc: '2.0', method: n.method, ...(n.params ? { params: n.params } : {}) });
  }

  private async onMessage(message: unknown): Promise<void> {
    if (message === PARSE_ERROR)
      return this.reply(null, { error: { code: RpcCodes.parseError, message: 'Parse error' } });
    if (!isRecord(message) || message.jsonrpc !== '2.0')
      return this.reply(null, { error: { code: RpcCodes.invalidRequest, message: 'Invalid Request' } });
    if (typeof message.method !== 'string') return; // a response: the gateway sends VS Code no requests
    const params = isRecord(message.params) ? message.params : {};
    const id = message.id;
    if (id === undefined || id === null) return this.onNotification(message.method, params);
    if (typeof id !== 'string' && typeof id !== 'number')
      return this.reply(null, { error: { code: RpcCodes.invalidRequest, message: 'Invalid Request' } });
    await this.onRequest(id, message.method, params);
  }

  private onNotification(method: string, params: Record<string, unknown>): void {
    if (method !== 'notifications/cancelled') return; // initialized, roots/list_changed: nothing to do
    const flight = this.inflight.get(JSON.stringify(params.requestId));
    if (!flight) return;
    flight.cancelledByClient = true;
    flight.controller.abort(new McpSecureError('cancelled', 'The request was cancelled.'));
  }

  private async onRequest(id: string | number, method: string, params: Record<string, unknown>): Promise<void> {
    const key = JSON.stringify(id);
    const flight: InFlight = { controller: new AbortController(), cancelledByClient: false };
    this.inflight.set(key, flight);
    try {
      const result = await this.handle(method, params, flight.controller.signal);
      if (!flight.cancelledByClient) this.reply(id, { result });
    } catch (err) {
      // MCP §Cancellation: "The receiver … SHOULD NOT send a response for the cancelled request."
      if (!flight.cancelledByClient) this.reply(id, { error: toRpcError(err, this.opts.explain) });
    } finally {
      this.inflight.delete(key);
    }
  }

  private async handle(
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    switch (method) {
      case 'ping':
        return {};
      case 'initialize':
        return this.initialize(params, signal);
      case 'tools/list':
        return this.listTools(signal);
      case 'tools/call':
        return this.callTool(params, signal);
      default: {
        if (!FORWARDED_REQUESTS.has(method))
          throw new RpcFailure(RpcCodes.methodNotFound, `Method not found: ${method.slice(0, 100)}`);
        const connection = await this.connection(signal);
        return forwardRequest(connection.sdkClient, method, params, { signal, timeout: this.opts.requestTimeoutMs });
      }
    }
  }

  private async connection(signal: AbortSignal): Promise<McpConnection> {
    const connection = await this.opts.upstream(signal);
    this.opts.events.attach(this.serverId, connection.sdkClient);
    return connection;
  }

  private async initialize(params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const connection = await this.connection(signal);
    const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : '';
    const instructions = connection.sdkClient.getInstructions();
    return {
      protocolVersion: DOWNSTREAM_PROTOCOL_VERSIONS.includes(asked) ? asked : STATEFUL_PROTOCOL_VERSION,
      capabilities: toServerCapabilities(connection.sdkClient.getServerCapabilities()),
      // No `title`: VS Code builds tool names from `title || name`, and the alias is what keeps them short and unique.
      serverInfo: { name: this.opts.alias, version: this.opts.version },
      ...(instructions ? { instructions } : {}),
    };
  }

  private async listTools(signal: AbortSignal): Promise<Record<string, unknown>> {
    const connection = await this.connection(signal);
    if (!connection.sdkClient.getServerCapabilities()?.tools) return { tools: [] };
    const tools = await connection.listTools(signal);
    await this.opts.onToolsListed?.(this.serverId, tools);
    return { tools: tools.filter((t) => !this.opts.gate?.(this.serverId, t)).map(toWireTool) };
  }

  private async callTool(params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (typeof params.name !== 'string') throw new RpcFailure(RpcCodes.invalidParams, 'tools/call needs a tool name.');
    const args = params.arguments === undefined ? undefined : params.arguments;
    if (args !== undefined && !isRecord(args))
      throw new RpcFailure(RpcCodes.invalidParams, 'Tool arguments must be a JSON object.');
    const meta = isRecord(params._meta) ? params._meta : {};
    const conversationId =
      typeof meta['vscode.conversationId'] === 'string' ? meta['vscode.conversationId'].slice(0, 500) : undefined;
    const progressToken =
      typeof meta.progressToken === 'string' || typeof meta.progressToken === 'number' ? meta.progressToken : undefined;
    const startedAt = (this.opts.clock ?? systemClock).now();
    const connection = await this.connection(signal).catch(async (err: unknown) => {
      await reportUnreachableCall(
        { ...this.opts, clock: this.opts.clock ?? systemClock },
        { tool: params.name as string, args, conversationId, startedAt },
        err,
      );
      throw err;
    });
    this.opts.onToolCall?.(this.serverId);
    const { gate, preflight } = this.opts;
    const result = await connection.callTool(params.name, args, {
      caller: 'chat',
      signal,
      ...(conversationId !== undefined ? { conversationId } : {}),
      precheck: async (tool: ToolInfo) => gate?.(this.serverId, tool) ?? (await preflight?.(this.serverId, tool)),
      ...(progressToken !== undefined
        ? {
            onProgress: (p: { progress: number; total?: number; message?: string }) =>
              this.forwardProgress(progressToken, p),
            onTaskStatus: this.taskProgress(progressToken),
          }
        : {}),
    });
    return result.raw;
  }

  /** An upstream task's status changes, as progress of the call VS Code made (one tick per change). */
  private taskProgress(progressToken: string | number): (s: { status: string; statusMessage?: string }) => void {
    let ticks = 0;
    return (s) =>
      this.forwardProgress(progressToken, {
        progress: ++ticks,
        message: `task ${s.status}${s.statusMessage ? `: ${s.statusMessage}` : ''}`,
      });
  }

  private forwardProgress(
    progressToken: string | number,
    p: { progress: number; total?: number; message?: string },
  ): void {
    if (this.closed) return;
    this.opts.channel.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: {
        progressToken,
        progress: p.progress,
        ...(p.total !== undefined ? { total: p.total } : {}),
        ...(p.message !== undefined ? { message: p.message } : {}),
      },
    });
  }

  private reply(
    id: string | number | null,
    body: { result: unknown } | { error: { code: number; message: string } },
  ): void {
    if (!this.closed) this.opts.channel.send({ jsonrpc: '2.0', id, ...body });
  }
}

/**
 * The tool as VS Code receives it: the server's own fields, annotations passed through unchanged.
 * `execution.taskSupport` is left out on purpose: the gateway declares no `tasks` capability, so VS
 * Code calls a task tool like any other and the extension runs the task upstream (MCP 2025-11-25
 * §Utilities/Tasks; `McpConnection.callTool`).
 */
function toWireTool(t: ToolInfo): Record<string, unknown> {
  return {
    name: t.name,
    ...(t.title !== undefined ? { title: t.title } : {}),
    ...(t.description !== undefined ? { description: t.description } : {}),
    inputSchema: t.inputSchema,
    ...(t.outputSchema !== undefined ? { outputSchema: t.outputSchema } : {}),
    ...(t.annotations !== undefined ? { annotations: t.annotations } : {}),
    ...(t.meta !== undefined ? { _meta: t.meta } : {}),
  };
}
