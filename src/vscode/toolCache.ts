import type { ToolInfo } from '../core/mcp/types';

/** The last `tools/list` answer per server (cleared on disconnect), so the tree never calls the network. */
export class ToolCache {
  private readonly tools = new Map<string, readonly ToolInfo[]>();
  private readonly listeners = new Set<() => void>();

  get(serverId: string): readonly ToolInfo[] | undefined {
    return this.tools.get(serverId);
  }

  set(serverId: string, tools: readonly ToolInfo[]): void {
    this.tools.set(serverId, tools);
    this.emit();
  }

  clear(serverId: string): void {
    if (this.tools.delete(serverId)) this.emit();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
