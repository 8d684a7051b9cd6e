import type { ToolInfo } from '../core/mcp/types';
import { Emitter } from '../core/common/event';

/** The last `tools/list` answer per server (cleared on disconnect), so the tree never calls the network. */
export class ToolCache {
  private readonly tools = new Map<string, readonly ToolInfo[]>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  get(serverId: string): readonly ToolInfo[] | undefined {
    return this.tools.get(serverId);
  }

  set(serverId: string, tools: readonly ToolInfo[]): void {
    this.tools.set(serverId, tools);
    this.changed.fire();
  }

  clear(serverId: string): void {
    if (this.tools.delete(serverId)) this.changed.fire();
  }
}
