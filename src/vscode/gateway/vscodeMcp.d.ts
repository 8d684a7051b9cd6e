/**
 * The stable MCP server definition API (VS Code 1.101+), declared here because the pinned
 * `@types/vscode` (1.100) predates it. Shapes follow VS Code's `vscode.d.ts`; only what the gateway
 * uses. Remove this file when `@types/vscode` is raised to ≥ 1.101.
 */
import 'vscode';

declare module 'vscode' {
  export class McpStdioServerDefinition {
    readonly label: string;
    cwd?: Uri;
    command: string;
    args: string[];
    env: Record<string, string | number | null>;
    version?: string;
    constructor(
      label: string,
      command: string,
      args?: string[],
      env?: Record<string, string | number | null>,
      version?: string,
    );
  }

  export class McpHttpServerDefinition {
    readonly label: string;
    uri: Uri;
    headers: Record<string, string>;
    version?: string;
    constructor(label: string, uri: Uri, headers?: Record<string, string>, version?: string);
  }

  export type McpServerDefinition = McpStdioServerDefinition | McpHttpServerDefinition;

  export interface McpServerDefinitionProvider<T extends McpServerDefinition = McpServerDefinition> {
    readonly onDidChangeMcpServerDefinitions?: Event<void>;
    provideMcpServerDefinitions(token: CancellationToken): ProviderResult<T[]>;
    resolveMcpServerDefinition?(server: T, token: CancellationToken): ProviderResult<T>;
  }

  export namespace lm {
    export function registerMcpServerDefinitionProvider(id: string, provider: McpServerDefinitionProvider): Disposable;
  }
}
