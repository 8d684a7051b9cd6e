import type * as vscode from 'vscode';
import type { AuditRecord } from '../core/audit/auditRecord';
import type { ConnectionState } from '../core/mcp/connectionState';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import type { ElicitationHandler, ToolCallResult } from '../core/mcp/types';
import { grantStoreKey } from '../core/oauth/tokenStore';
import type { SecretStore } from '../core/ports';
import type { ToolCaller } from '../core/toolCallObserver';
import type { McpAuthProvider } from './authProvider';
import type { GrantView } from './engineContract';
import type { ConfirmKind, ConfirmRequest } from './prompts';
import type { CommandServices } from './services';
import type { LaunchConfirmer } from './stdioLaunchGuard';
import type { StepUpAnswer } from './stepUpConsent';
import type { ConfirmHandler, Lease, TestSeams } from './testSeams';
import type { TreeSnapshot } from './tree/serversTree';

/** The only SecretStorage keys the test API reads or writes directly: never a real credential. */
export const SCRATCH_SECRET_PREFIX = 'mcpSecure.test/';

/**
 * What `activate()` returns in `ExtensionMode.Test` ONLY (never when installed normally). Integration
 * tests drive the real flows through it, because test mode cannot click through the dialogs the
 * Accounts menu and modals would show. Nothing here returns a token, a refresh token or a secret.
 */
export interface McpSecureApi {
  /** Milliseconds `activate()` took. */
  readonly activationMs: number;
  /** How long evaluating the extension bundle took (module load, before `activate()`), when measured. */
  readonly bundleLoadMs: number | undefined;
  servers(): { id: string; name: string; transport: 'http' | 'stdio'; origin: string }[];
  invalidServers(): { index: number; origin: string; message: string; id?: string }[];
  /** Sign in through the auth provider's PKCE flow; `opener` replaces the browser (tests: form login). */
  signIn(serverId: string, opener?: (url: URL) => Promise<void>, scopes?: string[]): Promise<{ account: string; scopes: readonly string[] }>;
  signOut(serverId: string): Promise<void>;
  sessions(scopes?: readonly string[]): Promise<{ id: string; account: string; scopes: readonly string[] }[]>;
  onDidChangeSessions: vscode.Event<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>;
  grant(serverId: string): Promise<GrantView | undefined>;
  connect(serverId: string): Promise<ConnectionState>;
  disconnect(serverId: string): Promise<void>;
  state(serverId: string): ConnectionState;
  listTools(serverId: string): Promise<string[]>;
  callTool(serverId: string, tool: string, args?: Record<string, unknown>, caller?: ToolCaller): Promise<ToolCallResult>;
  tree(): Promise<TreeSnapshot[]>;
  /** Whether SecretStorage holds a grant record for the server (its content never leaves the extension). */
  hasStoredGrant(serverId: string): Promise<boolean>;
  /**
   * Deletes the server's grant record straight from SecretStorage, as another window's sign-out does;
   * `restore()` writes the same record back (as another window's sign-in would). The value stays inside.
   */
  detachStoredGrant(serverId: string): Promise<{ restore(): Promise<void> }>;
  /** SecretStorage round trips, limited to keys under `SCRATCH_SECRET_PREFIX`. */
  scratchSecrets: Pick<SecretStore, 'get' | 'store' | 'delete'>;
  useOpener(opener: (url: URL) => Promise<void>): Lease;
  useStepUpConsent(answer: StepUpAnswer): Lease;
  useLaunchConfirmer(confirmer: LaunchConfirmer): Lease;
  useElicitation(handler: ElicitationHandler): Lease;
  /** Answers every confirmation of one kind (remove server, rotate secret, import, launch, step-up). */
  useConfirmation<K extends ConfirmKind>(kind: K, handler: ConfirmHandler<K>): Lease;
  /** Every confirmation asked since activation, oldest first. */
  confirmationsAsked(): readonly ConfirmRequest[];
  /** Audit records appended since activation (most recent last, bounded). */
  auditRecords(): Promise<readonly AuditRecord[]>;
}

export interface ApiParts {
  readonly services: CommandServices;
  readonly auth: McpAuthProvider;
  readonly seams: TestSeams;
  readonly store: SecretStore;
  readonly auditRecords: () => Promise<readonly AuditRecord[]>;
  readonly activationMs: () => number;
  readonly bundleLoadMs?: number;
}

export function createTestApi(p: ApiParts): McpSecureApi {
  const { registry, manager, actions, tree } = p.services;
  const { seams } = p;
  return {
    get activationMs() {
      return p.activationMs();
    },
    bundleLoadMs: p.bundleLoadMs,
    servers: () => registry.entries().flatMap((e) => (e.kind === 'valid' ? [{ id: e.def.id, name: e.def.name, transport: e.def.transport, origin: e.origin }] : [])),
    invalidServers: () => registry.invalidEntries().map((e) => ({ index: e.index, origin: e.origin, message: e.message, ...(e.id ? { id: e.id } : {}) })),
    signIn: async (serverId, opener, scopes) => {
      const def = registry.get(serverId);
      if (def?.transport !== 'http') throw new Error(`not an HTTP server: ${serverId}`);
      const lease = opener ? seams.useOpener(opener) : undefined;
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
    hasStoredGrant: async (serverId) => (await p.store.get(grantStoreKey(serverId))) !== undefined,
    detachStoredGrant: async (serverId) => {
      const key = grantStoreKey(serverId);
      const kept = await p.store.get(key);
      if (kept === undefined) throw new Error(`no stored grant for ${serverId}`);
      await p.store.delete(key);
      return { restore: () => p.store.store(key, kept) };
    },
    scratchSecrets: {
      get: async (k) => p.store.get(scratchKey(k)),
      store: async (k, v) => p.store.store(scratchKey(k), v),
      delete: async (k) => p.store.delete(scratchKey(k)),
    },
    useOpener: (opener) => seams.useOpener(opener),
    useStepUpConsent: (answer) => seams.useConfirmation('stepUp', (r) => answer({ serverId: r.serverId, granted: r.granted, requested: r.requested })),
    useLaunchConfirmer: (confirmer) => seams.useConfirmation('stdioLaunch', (r) => confirmer(r.def, r.commandLine)),
    useElicitation: (handler) => seams.useElicitation(handler),
    useConfirmation: (kind, handler) => seams.useConfirmation(kind, handler),
    confirmationsAsked: () => [...seams.asked],
    auditRecords: p.auditRecords,
  };
}

function scratchKey(key: string): string {
  if (!key.startsWith(SCRATCH_SECRET_PREFIX)) throw new Error(`the test API only touches keys under ${SCRATCH_SECRET_PREFIX}`);
  return key;
}
