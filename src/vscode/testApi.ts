import type * as vscode from 'vscode';
import type { AuditRecord } from '../core/audit/auditRecord';
import { importSources, type ImportRoots } from '../core/import/importSources';
import type { ConnectionState } from '../core/mcp/connectionState';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import type { ElicitationHandler, ToolCallResult } from '../core/mcp/types';
import { clientStoreKey } from '../core/oauth/clientRegistration';
import { grantStoreKey } from '../core/oauth/tokenStore';
import type { SecretStore } from '../core/ports';
import type { ToolCaller } from '../core/toolCallObserver';
import type { McpAuthProvider } from './authProvider';
import type { GrantView } from './engineContract';
import { importRoots } from './importFiles';
import type { ConfirmKind, ConfirmRequest } from './prompts';
import type { CommandServices } from './services';
import type { LaunchConfirmer } from './stdioLaunchGuard';
import type { StepUpAnswer } from './stepUpConsent';
import type { ConfirmHandler, Lease, ProgressRun, TestSeams } from './testSeams';
import type { TreeSnapshot } from './tree/serversTree';
import type { ChatGateway } from './gateway/chatGateway';

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
  signIn(
    serverId: string,
    opener?: (url: URL) => Promise<void>,
    scopes?: string[],
  ): Promise<{ account: string; scopes: readonly string[] }>;
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
  callTool(
    serverId: string,
    tool: string,
    args?: Record<string, unknown>,
    caller?: ToolCaller,
  ): Promise<ToolCallResult>;
  tree(): Promise<TreeSnapshot[]>;
  /** Whether SecretStorage holds a grant record for the server (its content never leaves the extension). */
  hasStoredGrant(serverId: string): Promise<boolean>;
  /**
   * Deletes the server's grant record straight from SecretStorage, as another window's sign-out does;
   * `restore()` writes the same record back (as another window's sign-in would). The value stays inside.
   */
  detachStoredGrant(serverId: string): Promise<{ restore(): Promise<void> }>;
  /** Whether `text` contains the stored grant's access or refresh token (the values never leave the extension). */
  textHasStoredTokens(serverId: string, text: string): Promise<boolean>;
  /** Rewrites the stored grant as expired and without a refresh token: a sign-in that cannot renew itself. */
  expireStoredGrant(serverId: string): Promise<void>;
  /** The client id of the dynamic registration stored for an issuer (a public identifier), if any. */
  storedRegistrationClientId(issuer: string): Promise<string | undefined>;
  /** Whether secret storage holds `value` for the definition's `secretEnv`/`secretHeaders` entry `name` (the value never leaves). */
  definitionSecretMatches(serverId: string, name: string, value: string): Promise<boolean>;
  /** Points "Import Servers…" at other folders (a temporary HOME) until the lease is disposed. */
  useImportRoots(roots: Partial<ImportRoots>): Lease;
  /** How many workspace-settings servers are ignored because the folder is not trusted. */
  ignoredWorkspaceServers(): number;
  /** The files "Import Servers…" looks at now (real derivation, plus any `useImportRoots` override). */
  importSourceFiles(): { id: string; file: string }[];
  /** Stores a dynamic registration the authorization server does not know (as after its restart). */
  plantForgottenRegistration(issuer: string, clientId: string): Promise<void>;
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
  /** Sees each progress notification (e.g. Call Tool's) with its reports, and can press its Cancel. */
  useProgress(watch: (run: ProgressRun) => void): Lease;
  /** Audit records appended since activation (most recent last, bounded). */
  auditRecords(): Promise<readonly AuditRecord[]>;
  /** The chat gateway (issue 8), when it started. */
  gateway: GatewayTestView | undefined;
  /** The status bar item as shown now, after pending updates (issue 12, item 4). */
  statusBar(): Promise<{ text: string; tooltip: string; warning: boolean; command: string }>;
  /** The audit webviews open now (side bar view, editor panel): ready, and which requests they were answered. */
  auditWebviews(): readonly { surface: 'view' | 'editor'; ready: boolean; answered: readonly string[] }[];
}

export interface GatewayTestView {
  readonly endpoint: string;
  readonly socketDir: string | undefined;
  sessions(): { serverId: string; pid: number | undefined }[];
  callCount(serverId: string): number;
  /** Tools held back from chat (changed definition or hidden characters). */
  heldBack(): { serverId: string; tool: string; kind: string; hidden: readonly string[] }[];
  /** What the review command does after the diff, without its modal. */
  acceptTool(serverId: string, tool: string): Promise<boolean>;
  /** What VS Code is offered: label, command, args, and the environment's keys (values withheld). */
  definitions(): {
    serverId: string;
    alias: string;
    label: string;
    command: string;
    args: string[];
    env: Record<string, 'set' | 'removed'>;
  }[];
}

export interface ApiParts {
  readonly services: CommandServices;
  readonly auth: McpAuthProvider;
  readonly seams: TestSeams;
  readonly store: SecretStore;
  readonly auditRecords: () => Promise<readonly AuditRecord[]>;
  readonly auditWebviews?: () => readonly { surface: 'view' | 'editor'; ready: boolean; answered: readonly string[] }[];
  readonly activationMs: () => number;
  readonly gateway?: ChatGateway | undefined;
  readonly statusBar: McpSecureApi['statusBar'];
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
    servers: () =>
      registry
        .entries()
        .flatMap((e) =>
          e.kind === 'valid' ? [{ id: e.def.id, name: e.def.name, transport: e.def.transport, origin: e.origin }] : [],
        ),
    invalidServers: () =>
      registry
        .invalidEntries()
        .map((e) => ({ index: e.index, origin: e.origin, message: e.message, ...(e.id ? { id: e.id } : {}) })),
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
    lastSignOutReport: () => p.auth.lastSignOut,
    sessions: async (scopes) =>
      (await p.auth.getSessions(scopes)).map((s) => ({ id: s.id, account: s.account.label, scopes: s.scopes })),
    onDidChangeSessions: p.auth.onDidChangeSessions,
    grant: async (serverId) => {
      const def = registry.get(serverId);
      return def?.transport === 'http'
        ? p.services.engine.getGrant(await p.services.secrets.oauthServerFor(def))
        : undefined;
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
    definitionSecretMatches: async (serverId, name, value) => {
      const def = registry.get(serverId);
      return def !== undefined && (await p.services.secrets.definitionSecrets(def))[name] === value;
    },
    useImportRoots: (roots) => seams.useImportRoots(roots),
    ignoredWorkspaceServers: () => registry.ignoredCount(),
    importSourceFiles: () => importSources(importRoots(p.services)).map((s) => ({ id: s.id, file: s.file })),
    hasStoredGrant: async (serverId) => (await p.store.get(grantStoreKey(serverId))) !== undefined,
    detachStoredGrant: async (serverId) => {
      const key = grantStoreKey(serverId);
      const kept = await p.store.get(key);
      if (kept === undefined) throw new Error(`no stored grant for ${serverId}`);
      await p.store.delete(key);
      return { restore: () => p.store.store(key, kept) };
    },
    textHasStoredTokens: async (serverId, text) => {
      const stored = JSON.parse((await p.store.get(grantStoreKey(serverId))) ?? '{}') as {
        accessToken?: unknown;
        refreshToken?: unknown;
      };
      return [stored.accessToken, stored.refreshToken].some(
        (t) => typeof t === 'string' && t.length > 0 && text.includes(t),
      );
    },
    expireStoredGrant: async (serverId) => {
      const key = grantStoreKey(serverId);
      const stored = JSON.parse((await p.store.get(key)) ?? 'null') as Record<string, unknown> | null;
      if (!stored) throw new Error(`no stored grant for ${serverId}`);
      const { refreshToken: _dropped, ...rest } = stored;
      await p.store.store(key, JSON.stringify({ ...rest, expiresAt: Date.now() - 60_000 }));
    },
    storedRegistrationClientId: async (issuer) => {
      const raw = await p.store.get(clientStoreKey(issuer));
      const clientId = raw === undefined ? undefined : (JSON.parse(raw) as { clientId?: unknown }).clientId;
      return typeof clientId === 'string' ? clientId : undefined;
    },
    plantForgottenRegistration: (issuer, clientId) =>
      p.store.store(
        clientStoreKey(issuer),
        JSON.stringify({ issuer, clientId, tokenEndpointAuthMethod: 'none', kind: 'dynamic' }),
      ),
    scratchSecrets: {
      get: async (k) => p.store.get(scratchKey(k)),
      store: async (k, v) => p.store.store(scratchKey(k), v),
      delete: async (k) => p.store.delete(scratchKey(k)),
    },
    useOpener: (opener) => seams.useOpener(opener),
    useStepUpConsent: (answer) =>
      seams.useConfirmation('stepUp', (r) =>
        answer({ serverId: r.serverId, granted: r.granted, requested: r.requested }),
      ),
    useLaunchConfirmer: (confirmer) => seams.useConfirmation('stdioLaunch', (r) => confirmer(r.def, r.commandLine)),
    useElicitation: (handler) => seams.useElicitation(handler),
    useConfirmation: (kind, handler) => seams.useConfirmation(kind, handler),
    confirmationsAsked: () => [...seams.asked],
    useProgress: (watch) => seams.useProgress(watch),
    auditRecords: p.auditRecords,
    gateway: p.gateway ? gatewayView(p.gateway) : undefined,
    statusBar: p.statusBar,
    auditWebviews: () => p.auditWebviews?.() ?? [],
  };
}

function gatewayView(g: ChatGateway): GatewayTestView {
  return {
    // read when asked: the listener starts after activation
    get endpoint() {
      return g.endpoint;
    },
    get socketDir() {
      return g.socketDir;
    },
    sessions: () => g.liveSessions().map((s) => ({ ...s })),
    callCount: (id) => g.callCount(id),
    heldBack: () =>
      g.pins
        .heldBack()
        .map((h) => ({ serverId: h.serverId, tool: h.tool.name, kind: h.verdict.kind, hidden: h.verdict.hidden })),
    acceptTool: async (serverId, tool) => {
      const accepted = await g.pins.accept(serverId, tool);
      if (accepted) g.toolsChanged(serverId);
      return accepted;
    },
    definitions: () =>
      g.definitions.current().map((o) => {
        const d = g.definitions.toDefinition(o, g.endpoint);
        const env = Object.fromEntries(
          Object.entries(d.env).map(([k, v]) => [k, v === null ? ('removed' as const) : ('set' as const)]),
        );
        return { serverId: o.def.id, alias: o.alias, label: o.label, command: d.command, args: [...d.args], env };
      }),
  };
}

function scratchKey(key: string): string {
  if (!key.startsWith(SCRATCH_SECRET_PREFIX))
    throw new Error(`the test API only touches keys under ${SCRATCH_SECRET_PREFIX}`);
  return key;
}
