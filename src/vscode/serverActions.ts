import type { ConnectionManager } from '../core/mcp/connectionManager';
import type { McpConnection } from '../core/mcp/mcpConnection';
import type { ServerDefinition } from '../core/mcp/serverDefinition';
import type { CallToolOptions, ToolCallResult, ToolInfo } from '../core/mcp/types';
import { McpSecureError } from '../core/errors';
import type { ToolCaller } from '../core/toolCallObserver';
import type { ServerRegistry } from './serverRegistry';
import type { StdioLaunchGuard } from './stdioLaunchGuard';
import { Strings } from './strings';
import type { ToolCache } from './toolCache';

/**
 * The operations behind the commands and the test API: connect (after the stdio launch
 * confirmation), disconnect, list tools (kept in the tool cache for the tree) and call a tool.
 */
export class ServerActions {
  constructor(
    private readonly registry: ServerRegistry,
    private readonly manager: ConnectionManager,
    private readonly guard: StdioLaunchGuard,
    private readonly tools: ToolCache,
  ) {}

  server(id: string): ServerDefinition {
    const def = this.registry.get(id);
    if (!def) throw new McpSecureError('invalid_server_definition', Strings.unknownServer(id));
    return def;
  }

  async connect(id: string, signal?: AbortSignal): Promise<McpConnection> {
    const def = this.server(id);
    if (def.transport === 'stdio') await this.guard.ensureAllowed(def, this.registry.originOf(id) ?? 'user');
    const connection = await this.manager.connect(def, signal ? { signal } : {});
    try {
      this.tools.set(id, await connection.listTools(signal));
    } catch {
      // Listing can fail for lack of scope while the connection itself is fine; the tree says "connect to list".
      this.tools.clear(id);
    }
    return connection;
  }

  async disconnect(id: string): Promise<void> {
    await this.manager.disconnect(id);
    this.tools.clear(id);
  }

  /** The running connection, connecting first when there is none. */
  async connection(id: string, signal?: AbortSignal): Promise<McpConnection> {
    return this.manager.get(id) ?? this.connect(id, signal);
  }

  async listTools(id: string, signal?: AbortSignal): Promise<ToolInfo[]> {
    const connection = await this.connection(id, signal);
    const tools = await connection.listTools(signal);
    this.tools.set(id, tools);
    return tools;
  }

  async callTool(
    id: string,
    tool: string,
    args: Record<string, unknown> | undefined,
    caller: ToolCaller,
    signal?: AbortSignal,
    onProgress?: CallToolOptions['onProgress'],
    onTaskStatus?: CallToolOptions['onTaskStatus'],
  ): Promise<ToolCallResult> {
    const connection = await this.connection(id, signal);
    return connection.callTool(tool, args, {
      caller,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(onTaskStatus ? { onTaskStatus } : {}),
    });
  }
}
