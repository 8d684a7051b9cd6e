import type * as vscode from 'vscode';
import type { AuditRecord } from '../core/audit/auditRecord';
import type { ConnectionState } from '../core/mcp/connectionState';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import type { ElicitationHandler, ToolCallResult } from '../core/mcp/types';
import type { SecretStore } from '../core/ports';
import type { ToolCaller } from '../core/toolCallObserver';
import type { McpAuthProvider } from './authProvider';
import type { EditorBrowserOpener } from './browserOpener';
import type { ElicitationPrompt } from './elicitationPrompt';
import type { GrantView } from './engineContract';
import type { CommandServices } from './services';
import type { LaunchConfirmer, StdioLaunchGuard } from './stdioLaunchGuard';
import type { StepUpAnswer, StepUpConsentPrompt } from './stepUpConsent';
import type { TreeSnapshot } from './tree/serversTree';

/**
 * What `activate()` returns. Integration tests drive the real flows through it, because test mode
 * refuses the dialogs the Accounts menu and modals would show. Nothing here returns a token value.
 */
export interface McpSecureApi {
  /** Milliseconds `activate()` took. */
  readonly activationMs: number;
  servers(): { id: string; name: string; transport: 'http' | 'stdio'; origin: string }[];
  invalidServers(): { index: number; origin: string; message: string; id?: string }[];
  /** Sign in through the auth provider's PKCE flow; `opener` replaces the browser (tests: form login). */
  signIn(serverId: string, opener?: (url: URL) => Promise<void>, scopes?: string[]): Promise<{ account: string; scopes: readonly string[] }>;
  signOut(serverId: string): Promise<void>;
  /** What the last sign-out told the user it revoked (and what stays valid until when). */
  lastSignOutReport(): string | undefined;
  sessions(scopes?: readonly string[]): Promise<{ id: string; account: string; scopes: readonly string[] }[]>;
  onDidChangeSessions: vscode.Event<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>;
  grant(serverId: string): Promise<GrantView | undefined>;
  connect(serverId: string): Promise<ConnectionState>;
  disconnect(serverId: string): Promise<void>;
  state(serverId: string): ConnectionState;
  listTools(serverId: string): Promise<string[]>;
  callTool(serverId: string, tool: string, args?: Record<string, unknown>, caller?: ToolCaller): Promise<ToolCallResult>;
  tree(): Promise<TreeSnapshot[]>;
  /** The SecretStorage adapter the core uses (round-trip tests). */
  secrets: Pick<SecretStore, 'get' | 'store' | 'delete'>;
  useOpener(opener: (url: URL) => Promise<void>): vscode.Disposable;
  useStepUpConsent(answer: StepUpAnswer): vscode.Disposable;
  useLaunchConfirmer(confirmer: LaunchConfirmer): vscode.Disposable;
  useElicitation(handler: ElicitationHandler): vscode.Disposable;
  /** Audit records appended since activation (most recent last, bounded). */
  auditRecords(): Promise<readonly AuditRecord[]>;
}

export interface ApiParts {
  readonly services: CommandServices;
  readonly auth: McpAuthProvider;
  readonly opener: EditorBrowserOpener;
  readonly consent: StepUpConsentPrompt;
  readonly guard: StdioLaunchGuard;
  readonly elicitation: ElicitationPrompt;
  readonly store: SecretStore;
  readonly auditRecords: () => Promise<readonly AuditRecord[]>;
  readonly activationMs: () => number;
}

export function createTestApi(p: ApiParts): McpSecureApi {
  const { registry, manager, actions, tree } = p.services;
  return {
    get activationMs() {
      return p.activationMs();
    },
    servers: () => registry.entries().flatMap((e) => (e.kind === 'valid' ? [{ id: e.def.id, name: e.def.name, transport: e.def.transport, origin: e.origin }] : [])),
    invalidServers: () => registry.invalidEntries().map((e) => ({ index: e.index, origin: e.origin, message: e.message, ...(e.id ? { id: e.id } : {}) })),
    signIn: async (serverId, opener, scopes) => {
      const def = registry.get(serverId);
      if (def?.transport !== 'http') throw new Error(`not an HTTP server: ${serverId}`);
      const lease = opener ? p.opener.useOpener(opener) : undefined;
      try {
        const session = await p.auth.signIn(def as HttpServerDefinition, scopes ?? []);
        return { account: session.account.label, scopes: session.scopes };
      } finally {
        lease?.dispose();
      }
    },
    signOut: async (serverId) => {
      await actions.disconnect(serverId);
      await p.auth.removeSession(serverId);
    },
    lastSignOutReport: () => p.auth.lastSignOut,
    sessions: async (scopes) => (await p.auth.getSessions(scopes)).map((s) => ({ id: s.id, account: s.account.label, scopes: s.scopes })),
    onDidChangeSessions: p.auth.onDidChangeSessions,
    grant: async (serverId) => {
      const def = registry.get(serverId);
      return def?.transport === 'http' ? p.services.engine.getGrant(await p.services.secrets.oauthServerFor(def)) : undefined;
    },
    connect: async (serverId) => {
      await actions.connect(serverId);
      return manager.state(serverId);
    },
    disconnect: (serverId) => actions.disconnect(serverId),
    state: (serverId) => manager.state(serverId),
    listTools: async (serverId) => (await actions.listTools(serverId)).map((t) => t.name),
    callTool: (serverId, tool, args, caller = 'test') => actions.callTool(serverId, tool, args, caller),
    tree: () => tree.snapshot(),
    secrets: { get: (k) => p.store.get(k), store: (k, v) => p.store.store(k, v), delete: (k) => p.store.delete(k) },
    useOpener: (opener) => p.opener.useOpener(opener),
    useStepUpConsent: (answer) => p.consent.useAnswer(answer),
    useLaunchConfirmer: (confirmer) => p.guard.useConfirmer(confirmer),
    useElicitation: (handler) => p.elicitation.useAnswer(handler),
    auditRecords: p.auditRecords,
  };
}
