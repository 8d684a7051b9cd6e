import { randomUUID } from 'node:crypto';
import { ProtocolError, type Client, type Tool, type Transport } from '@modelcontextprotocol/client';
import { McpSecureError } from '../errors';
import type { Clock, Logger } from '../ports';
import type {
  AgentIdentity,
  HumanIdentity,
  ToolCallContext,
  ToolCallObserver,
  ToolCallOutcome,
} from '../toolCallObserver';
import { AccessDeniedError } from './accessDeniedError';
import type { ConnectionState } from './connectionState';
import { safeText } from '../common/safeText';
import { toMcpSecureError, type ErrorContext } from './errorMapping';
import { endHttpSession } from './httpConnector';
import { describeTarget, type ServerDefinition } from './serverDefinition';
import { NO_SDK_TIMEOUT, withDeadline, type AuthActivity } from './requestDeadline';
import { listSkills } from './skills';
import { planTaskCall, runToolTask, taskSupportOf, type TaskStatusKind } from './toolTasks';
import type { CallToolOptions, SkillInfo, ToolCallResult, ToolInfo } from './types';

/** Who is behind a connection, resolved at call time (tokens refresh; grants change). */
export interface ConnectionIdentity {
  readonly human?: HumanIdentity;
  readonly agent: AgentIdentity;
  readonly grantedScopes: readonly string[];
  /** Canonical resource URI and issuer of the token (HTTP + OAuth). */
  readonly resource?: string;
  readonly issuer?: string;
}

export interface McpConnectionOptions {
  readonly definition: ServerDefinition;
  readonly client: Client;
  readonly transport: Transport;
  readonly wire: 'streamable-http' | 'sse' | 'stdio';
  readonly logger: Logger;
  readonly clock: Clock;
  readonly observers: readonly ToolCallObserver[];
  readonly identity: () => Promise<ConnectionIdentity>;
  readonly requestTimeoutMs: number;
  /** Authorizer work in progress (HTTP): deadlines pause while the user signs in or consents. */
  readonly activity?: AuthActivity;
  /** The last stderr lines of a stdio server (masked); absent for HTTP. */
  readonly stderrTail?: () => string[];
  /** Facts for error mapping (a stdio child's exit). */
  readonly errorContext: () => ErrorContext;
}

/**
 * One live connection to an MCP server (MCP 2025-11-25 §Lifecycle / 2026-07-28 stateless). Every
 * `tools/call` goes through `callTool`, which reports it exactly once to every `ToolCallObserver`.
 */
export class McpConnection {
  readonly id: string;
  private tools?: Map<string, Tool>;
  private closed = false;

  constructor(private readonly opts: McpConnectionOptions) {
    this.id = opts.definition.id;
  }

  get definition(): ServerDefinition {
    return this.opts.definition;
  }
  get wire(): 'streamable-http' | 'sse' | 'stdio' {
    return this.opts.wire;
  }
  get protocolVersion(): string | undefined {
    return this.opts.client.getNegotiatedProtocolVersion();
  }
  get serverInfo(): { name: string; version: string } | undefined {
    const v = this.opts.client.getServerVersion();
    return v ? { name: safeText(String(v.name), 100), version: safeText(String(v.version), 50) } : undefined;
  }
  /** The `running` state this connection represents. */
  runningState(): ConnectionState {
    return {
      kind: 'running',
      protocolVersion: this.protocolVersion ?? 'unknown',
      wire: this.wire,
      serverInfo: this.serverInfo,
    };
  }
  /** The last lines a stdio server wrote to stderr (bounded, secrets masked); empty for HTTP servers. */
  stderrTail(): string[] {
    return this.opts.stderrTail?.() ?? [];
  }

  /** The underlying SDK client (for the CLI's conformance driver: prompts, resources, …). */
  get sdkClient(): Client {
    return this.opts.client;
  }

  /** `tools/list`, all pages (the SDK follows `nextCursor`, capped at 64 pages). */
  async listTools(signal?: AbortSignal): Promise<ToolInfo[]> {
    try {
      const result = await withDeadline(this.opts.requestTimeoutMs, this.opts.activity, signal, (s) =>
        this.opts.client.listTools(undefined, { timeout: NO_SDK_TIMEOUT, signal: s, cacheMode: 'refresh' }),
      );
      this.tools = new Map(result.tools.map((t) => [t.name, t]));
      return result.tools.map(toToolInfo);
    } catch (err) {
      throw toMcpSecureError(err, this.opts.errorContext());
    }
  }

  /** `skills/list` (SEP-2640): names, digests and sizes only; nothing is prefetched. */
  async listSkills(signal?: AbortSignal): Promise<SkillInfo[]> {
    try {
      return await withDeadline(this.opts.requestTimeoutMs, this.opts.activity, signal, (s) =>
        listSkills(this.opts.client, { timeout: NO_SDK_TIMEOUT, signal: s }),
      );
    } catch (err) {
      throw toMcpSecureError(err, this.opts.errorContext());
    }
  }

  /**
   * `tools/call` (MCP §Tools/Calling Tools). Resolves with the result, including tool-level errors
   * (`isError: true`); rejects with a typed `McpSecureError` for denials and transport failures.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    options: CallToolOptions,
  ): Promise<ToolCallResult> {
    const identity = await this.resolveIdentity();
    const context = this.buildContext(name, args, options, identity);
    this.notifyStart(context);
    let outcome: ToolCallOutcome;
    let result: ToolCallResult | undefined;
    let failure: McpSecureError | undefined;
    const task: { taskId?: string; status?: TaskStatusKind } = {};
    try {
      const tool = await this.checkCall(name, args, options.signal);
      const refusal = await options.precheck?.(toToolInfo(tool));
      if (refusal) throw new LocalRefusal(refusal);
      const raw = this.asTask(tool, options)
        ? await runToolTask(this.opts.client, { name, arguments: args ?? {} }, this.taskOptions(options, task))
        : await this.callDirect(name, args, tool, options);
      const r = (result = toResult(raw));
      // the size is read by the audit record after the call returns: not measured on the call's path
      outcome = r.isError
        ? {
            kind: 'tool_error',
            message: errorText(r),
            get resultSize() {
              return r.resultSize;
            },
          }
        : {
            kind: 'success',
            get resultSize() {
              return r.resultSize;
            },
          };
    } catch (err) {
      failure = err instanceof LocalRefusal ? err.error : toMcpSecureError(err, this.opts.errorContext());
      outcome = toFailureOutcome(failure, err instanceof LocalRefusal, identity.grantedScopes);
    }
    if (task.taskId !== undefined)
      outcome = { ...outcome, task: { taskId: task.taskId, status: task.status ?? 'working' } };
    await this.notifyEnd(context, outcome);
    if (failure) throw failure;
    return result as ToolCallResult;
  }

  /** Whether this call runs as a task (MCP 2025-11-25 §Utilities/Tasks); refuses a task tool that cannot. */
  private asTask(tool: Tool, options: CallToolOptions): boolean {
    try {
      return planTaskCall(tool, this.opts.client, options.preferTask === true);
    } catch (err) {
      throw new LocalRefusal(toMcpSecureError(err));
    }
  }

  private taskOptions(options: CallToolOptions, tracker: { taskId?: string; status?: TaskStatusKind }) {
    return {
      signal: options.signal,
      deadlineMs: options.timeoutMs,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      activity: this.opts.activity,
      tracker,
      ...(options.onTaskStatus ? { onStatus: options.onTaskStatus } : {}),
    };
  }

  private async callDirect(
    name: string,
    args: Record<string, unknown> | undefined,
    tool: Tool,
    options: CallToolOptions,
  ): Promise<Record<string, unknown>> {
    const onprogress = options.onProgress;
    return (await withDeadline(
      options.timeoutMs ?? this.opts.requestTimeoutMs,
      this.opts.activity,
      options.signal,
      (signal) =>
        this.opts.client.callTool(
          { name, arguments: args ?? {} },
          { timeout: NO_SDK_TIMEOUT, signal, toolDefinition: tool, ...(onprogress ? { onprogress } : {}) },
        ),
    )) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await endHttpSession(this.opts.transport, this.opts.logger);
    try {
      await this.opts.client.close();
    } catch (err) {
      this.opts.logger.debug(`close: ${toMcpSecureError(err).message}`);
    }
    await this.opts.transport.close().catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async checkCall(name: string, args: unknown, signal?: AbortSignal): Promise<Tool> {
    if (this.closed) throw new LocalRefusal(new McpSecureError('connection_failed', 'The connection is closed.'));
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      throw new LocalRefusal(new McpSecureError('invalid_tool', 'Tool arguments must be a JSON object.'));
    }
    // Unknown name: refresh the list once (the server may have added it since) before refusing.
    if (!this.tools?.has(name)) await this.listTools(signal);
    const tool = this.tools?.get(name);
    if (!tool) {
      throw new LocalRefusal(
        new McpSecureError(
          'tool_not_found',
          `The server does not offer a tool named ${JSON.stringify(safeText(name, 100))} (or it was refused as invalid).`,
        ),
      );
    }
    return tool;
  }

  private async resolveIdentity(): Promise<ConnectionIdentity> {
    try {
      return await this.opts.identity();
    } catch (err) {
      this.opts.logger.warn(`could not resolve the caller identity: ${toMcpSecureError(err).message}`);
      return { agent: { kind: 'none' }, grantedScopes: [] };
    }
  }

  private buildContext(
    name: string,
    args: unknown,
    options: CallToolOptions,
    identity: ConnectionIdentity,
  ): ToolCallContext {
    const def = this.opts.definition;
    return {
      callId: randomUUID(),
      server: {
        id: def.id,
        name: def.name,
        transport: def.transport,
        target: describeTarget(def),
        resource: identity.resource,
        issuer: identity.issuer,
      },
      tool: name,
      arguments: args ?? {},
      caller: options.caller,
      human: identity.human,
      agent: identity.agent,
      grantedScopes: [...identity.grantedScopes],
      startedAt: this.opts.clock.now(),
      ...(options.conversationId !== undefined ? { conversationId: options.conversationId } : {}),
    };
  }

  private notifyStart(context: ToolCallContext): void {
    for (const o of this.opts.observers) {
      try {
        o.onToolCallStart?.(context);
      } catch (err) {
        this.opts.logger.error(`tool-call observer failed on start: ${err instanceof Error ? err.name : 'error'}`);
      }
    }
  }

  private async notifyEnd(context: ToolCallContext, outcome: ToolCallOutcome): Promise<void> {
    const duration = Math.max(0, this.opts.clock.now() - context.startedAt);
    await Promise.all(
      this.opts.observers.map(async (o) => {
        try {
          await o.onToolCallEnd(context, outcome, duration);
        } catch (err) {
          this.opts.logger.error(`tool-call observer failed: ${err instanceof Error ? err.name : 'error'}`);
        }
      }),
    );
  }
}

/** A refusal decided locally, before anything reached the server. */
class LocalRefusal extends Error {
  constructor(readonly error: McpSecureError) {
    super(error.message);
  }
}

function toFailureOutcome(error: McpSecureError, local: boolean, granted: readonly string[]): ToolCallOutcome {
  if (error instanceof AccessDeniedError) {
    const challenged = error.challengeScope?.split(/\s+/).filter(Boolean) ?? [];
    const missing = challenged.filter((s) => !granted.includes(s));
    return {
      kind: 'denied',
      status: error.status,
      message: error.message,
      missingScope: (missing.length ? missing : challenged).join(' ') || undefined,
    };
  }
  if (error.code === 'unauthorized') return { kind: 'denied', status: 401, message: error.message };
  if (error.code === 'forbidden' || error.code === 'insufficient_scope')
    return { kind: 'denied', status: 403, message: error.message };
  if (local && error.code !== 'connection_failed') return { kind: 'denied', status: 'local', message: error.message };
  // A JSON-RPC error answer to tools/call: the server (or the SDK on its behalf) refused the call itself.
  if (error.code === 'protocol_error' && error.cause instanceof ProtocolError)
    return { kind: 'tool_error', message: error.message, resultSize: 0 };
  return { kind: 'transport_error', code: error.code, message: error.message };
}

function toToolInfo(t: Tool): ToolInfo {
  const x = t as Tool & { title?: string; _meta?: Record<string, unknown> };
  return {
    name: t.name,
    title: x.title,
    description: t.description,
    inputSchema: t.inputSchema as Record<string, unknown>,
    outputSchema: t.outputSchema as Record<string, unknown> | undefined,
    annotations: t.annotations as Record<string, unknown> | undefined,
    meta: x._meta,
    ...(taskSupportOf(t) !== 'forbidden' ? { taskSupport: taskSupportOf(t) as 'optional' | 'required' } : {}),
  };
}

function toResult(raw: Record<string, unknown>): ToolCallResult {
  const content = Array.isArray(raw.content) ? (raw.content as Record<string, unknown>[]) : [];
  const structured = raw.structuredContent;
  let size: number | undefined;
  return {
    content,
    structuredContent:
      typeof structured === 'object' && structured !== null ? (structured as Record<string, unknown>) : undefined,
    isError: raw.isError === true,
    // serialising the whole result again is the dearest step of a large result: only when read
    get resultSize() {
      return (size ??= Buffer.byteLength(JSON.stringify(raw), 'utf8'));
    },
    raw,
  };
}

function errorText(result: ToolCallResult): string {
  const text = result.content
    .filter((c) => c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text as string)
    .join('\n');
  return safeText(text || 'The tool reported an error.', 500);
}
