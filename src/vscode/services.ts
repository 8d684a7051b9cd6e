import type * as vscode from 'vscode';
import type { ImportRoots } from '../core/import/importSources';
import type { ConnectionManager } from '../core/mcp/connectionManager';
import type { Logger } from '../core/ports';
import type { McpAuthProvider } from './authProvider';
import type { RunWithProgress } from './progress';
import type { Confirm } from './prompts';
import type { ResultDocuments } from './resultDocuments';
import type { GrantEngine } from './engineContract';
import type { ServerActions } from './serverActions';
import type { ServerRegistry } from './serverRegistry';
import type { ServerSecrets } from './serverSecrets';
import type { StdioLaunchGuard } from './stdioLaunchGuard';
import type { ServersTree } from './tree/serversTree';

/** What the commands need; built once in `extension.ts`. */
export interface CommandServices {
  readonly context: vscode.ExtensionContext;
  readonly registry: ServerRegistry;
  readonly engine: GrantEngine;
  readonly manager: ConnectionManager;
  readonly actions: ServerActions;
  readonly secrets: ServerSecrets;
  readonly auth: McpAuthProvider;
  readonly tree: ServersTree;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  readonly results: ResultDocuments;
  /** Every confirmation a command asks for (injected: modal in production, answerable in tests). */
  readonly confirm: Confirm;
  /** The cancellable progress notification of a tool call (injected like `confirm`). */
  readonly progress: RunWithProgress;
  readonly guard: StdioLaunchGuard;
  /** Test mode only: overrides of the folders "Import Servers…" looks in (see `TestSeams.useImportRoots`). */
  readonly importRootsOverride?: () => Partial<ImportRoots> | undefined;
}
