import * as vscode from 'vscode';
import { bridgeLaunch, chatAliases, definitionVersion } from '../../core/gateway/bridgeLaunch';
import type { ServerDefinition } from '../../core/mcp/serverDefinition';
import { GATEWAY_PROVIDER_ID, Settings } from '../constants';
import type { ServerRegistry } from '../serverRegistry';

/** One server offered to chat: its definition, `serverInfo.name` alias and the label VS Code shows. */
export interface OfferedDefinition {
  readonly def: ServerDefinition;
  readonly alias: string;
  readonly label: string;
}

export interface GatewayDefinitionsDeps {
  readonly registry: ServerRegistry;
  readonly secret: string;
  /** The listener's socket, once it listens (it starts after activation; a failed start offers nothing). */
  readonly endpoint: Promise<string>;
  readonly bridgeScript: string;
  readonly changes: readonly vscode.Event<unknown>[];
}

/**
 * The `McpServerDefinitionProvider` (`contributes.mcpServerDefinitionProviders`): one stdio definition
 * per configured server with `exposeToChat` not false, while `mcpSecure.gateway.enabled` is on. Fires
 * its change event when servers, sign-in state or the gateway settings change, so VS Code re-reads them.
 */
export class GatewayDefinitions
  implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition>, vscode.Disposable
{
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.emitter.event;
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  /** `current()` is asked on every gateway request: computed once per change, not per call. */
  private memo: OfferedDefinition[] | undefined;

  constructor(private readonly deps: GatewayDefinitionsDeps) {
    const fire = (): void => {
      this.memo = undefined;
      this.emitter.fire();
    };
    this.disposables.push(
      deps.registry.onDidChange(fire),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.gatewayEnabled)) fire();
      }),
      ...deps.changes.map((event) => event(fire)),
      vscode.lm.registerMcpServerDefinitionProvider(GATEWAY_PROVIDER_ID, this),
    );
  }

  /** The servers offered right now. */
  current(): OfferedDefinition[] {
    return (this.memo ??= this.compute());
  }

  private compute(): OfferedDefinition[] {
    if (!vscode.workspace.getConfiguration().get<boolean>(Settings.gatewayEnabled, true)) return [];
    const servers = this.deps.registry.servers().filter((d) => d.exposeToChat !== false);
    const aliases = chatAliases(servers.map((d) => d.id));
    const labels = new Set<string>();
    return servers.map((def) => {
      // VS Code keys servers by label: keep labels unique.
      const label = labels.has(def.name) ? `${def.name} (${def.id})` : def.name;
      labels.add(label);
      return { def, alias: aliases.get(def.id) ?? def.id, label };
    });
  }

  offered(serverId: string): OfferedDefinition | undefined {
    return this.current().find((o) => o.def.id === serverId);
  }

  /**
   * Registered during activation (VS Code drops a contributed provider that activation did not
   * register), answered once the listener, started after activation, listens.
   */
  async provideMcpServerDefinitions(): Promise<vscode.McpStdioServerDefinition[]> {
    const endpoint = await this.deps.endpoint.catch(() => undefined);
    return endpoint === undefined ? [] : this.current().map((o) => this.toDefinition(o, endpoint));
  }

  /** The stdio definition VS Code runs: the editor's runtime + dist/bridge.js, a scrubbed environment. */
  toDefinition(o: OfferedDefinition, endpoint: string): vscode.McpStdioServerDefinition {
    const launch = bridgeLaunch({
      execPath: process.execPath,
      bridgeScript: this.deps.bridgeScript,
      endpoint,
      secret: this.deps.secret,
      serverId: o.def.id,
      hostEnv: process.env,
    });
    return new vscode.McpStdioServerDefinition(
      o.label,
      launch.command,
      launch.args,
      launch.env,
      definitionVersion([o.def, o.alias]),
    );
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
