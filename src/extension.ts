/**
 * The composition root — the only place that builds core services with their editor adapters and
 * registers everything. `activate()` returns the test API (`McpSecureApi`).
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuditStore } from './core/audit/auditStore';
import { AuditTrail } from './core/audit/auditTrail';
import type { AuditRecord } from './core/audit/auditRecord';
import { ConnectionManager } from './core/mcp/connectionManager';
import { OAuthEngine } from './core/oauth/oauthEngine';
import type { Logger } from './core/ports';
import type { ToolCallObserver } from './core/toolCallObserver';
import type { CommandServices } from './vscode/services';
import { registerAuditPanel } from './vscode/audit/registerAuditPanel';
import { McpAuthProvider } from './vscode/authProvider';
import { EditorBrowserOpener } from './vscode/browserOpener';
import { ElicitationPrompt } from './vscode/elicitationPrompt';
import { registerCommands } from './vscode/commands';
import { ResultDocuments } from './vscode/resultDocuments';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, LOG_CHANNEL_NAME, Settings } from './vscode/constants';
import { identityResolver } from './vscode/identities';
import { lazyAuthorizer } from './vscode/lazyAuthorizer';
import { OutputLogger } from './vscode/outputLogger';
import { Redactor } from './vscode/redactor';
import { SecretStorageAdapter } from './vscode/secretStorageAdapter';
import { ServerActions } from './vscode/serverActions';
import { ServerRegistry } from './vscode/serverRegistry';
import { ServerSecrets } from './vscode/serverSecrets';
import { StdioLaunchGuard } from './vscode/stdioLaunchGuard';
import { StepUpConsentPrompt } from './vscode/stepUpConsent';
import { Strings } from './vscode/strings';
import { createTestApi, type McpSecureApi } from './vscode/testApi';
import { ChatGateway } from './vscode/gateway/chatGateway';
import { scopePreflight } from './vscode/gateway/scopePreflight';
import { registerReviewToolsCommand } from './vscode/gateway/reviewToolsCommand';
import { ToolCache } from './vscode/toolCache';
import { ToolScopeKnowledge } from './vscode/toolScopes';
import { ServersTree } from './vscode/tree/serversTree';

const RECENT_AUDIT_RECORDS = 200;
const EXPIRY_REFRESH_MS = 60_000;
let shutdown: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<McpSecureApi> {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const redactor = new Redactor();
  const logger = new OutputLogger(channel, redactor);
  const store = new SecretStorageAdapter(context.secrets, (value) => redactor.register(value));
  const registry = new ServerRegistry();
  context.subscriptions.push(channel, registry, store);

  const core = await buildCore(context, logger, store, registry);
  // The tree asks the gateway (started below) what chat may use.
  const chatView: { gateway?: ChatGateway } = {};
  const auth = new McpAuthProvider(core.engine, registry, core.secrets, store, logger.child('auth'));
  const tree = new ServersTree({
    registry, tools: core.tools, scopes: core.scopes,
    state: (id) => core.manager.state(id),
    grant: (id) => core.engine.getGrant(id),
    fingerprint: (id) => core.secrets.stdioFingerprint(id),
    clientMetadataUrl: () => core.clientMetadataUrl,
    now: () => Date.now(),
    chat: (id) => chatView.gateway && { offered: chatView.gateway.definitions.offered(id) !== undefined, calls: chatView.gateway.callCount(id), ...chatView.gateway.pins.summary(id) },
  });
  const results = new ResultDocuments();
  const services: CommandServices = { ...core, context, registry, auth, tree, logger, channel, results };
  context.subscriptions.push(
    auth, tree, results,
    vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, auth, { supportsMultipleAccounts: false }),
    ...registerCommands(services),
    ...wireRefreshes(services, store, core),
  );
  if (core.audit) registerAuditPanel(context, core.audit.trail, logger);
  const gateway = await startGateway(context, services, redactor, core);
  context.subscriptions.push(registerReviewToolsCommand(() => chatView.gateway?.pins, registry, (id) => chatView.gateway?.toolsChanged(id)));
  if (gateway) {
    chatView.gateway = gateway;
    context.subscriptions.push(gateway.onDidChangeCalls(() => tree.refresh()), gateway.definitions.onDidChange(() => tree.refresh()));
    tree.refresh();
  }
  shutdown = async () => {
    await gateway?.close();
    await shutDown(core);
  };

  reportInvalid(registry);
  auth.requestSessionsSilently();
  const activationMs = performance.now() - started;
  logger.info(`activated in ${activationMs.toFixed(1)} ms (${registry.servers().length} server(s))`);
  return createTestApi({
    services, auth, opener: core.opener, consent: core.consent, guard: core.guard, elicitation: core.elicitation, store,
    auditRecords: async () => {
      await core.audit?.trail.flush();
      return core.audit?.recent ?? [];
    },
    activationMs: () => activationMs,
    gateway,
  });
}

/** VS Code's own MCP client (chat, agent) through the extension; a failure to start is logged, not fatal. */
async function startGateway(context: vscode.ExtensionContext, s: CommandServices, redactor: Redactor, core: Core): Promise<ChatGateway | undefined> {
  try {
    return await ChatGateway.start({
      registry: s.registry, actions: core.actions, logger: s.logger.child('gateway'),
      redact: (v) => redactor.register(v),
      bridgeScript: context.asAbsolutePath(path.join('dist', 'bridge.js')),
      version: String(context.extension.packageJSON.version ?? '0.0.0'),
      requestTimeoutMs: (vscode.workspace.getConfiguration().get<number>(Settings.requestTimeoutSeconds) ?? 60) * 1000,
      changes: [(l) => toDisposable(core.engine.onDidChangeGrants(l))],
      observers: core.audit ? [core.audit.trail] : [],
      state: context.globalState,
      preflight: scopePreflight({
        registry: s.registry, scopes: core.scopes, grant: (id) => core.engine.getGrant(id),
        consent: core.consent.ask, signIn: (def, scopes) => s.auth.signIn(def, scopes),
      }),
    });
  } catch (e) {
    s.logger.error('the chat gateway could not start', e);
    return undefined;
  }
}

interface Core {
  readonly engine: OAuthEngine;
  readonly manager: ConnectionManager;
  readonly actions: ServerActions;
  readonly secrets: ServerSecrets;
  readonly tools: ToolCache;
  readonly scopes: ToolScopeKnowledge;
  readonly opener: EditorBrowserOpener;
  readonly consent: StepUpConsentPrompt;
  readonly guard: StdioLaunchGuard;
  readonly elicitation: ElicitationPrompt;
  readonly audit: OpenAudit | undefined;
  readonly abort: AbortController;
  readonly clientMetadataUrl: string | undefined;
}

/** The core services (OAuth engine, connection manager, audit trail) over the editor adapters. */
async function buildCore(context: vscode.ExtensionContext, logger: Logger, store: SecretStorageAdapter, registry: ServerRegistry): Promise<Core> {
  const config = vscode.workspace.getConfiguration();
  const abort = new AbortController();
  const opener = new EditorBrowserOpener();
  const scopes = new ToolScopeKnowledge();
  const consent = new StepUpConsentPrompt(registry, (r) => scopes.noteStepUp(r.serverId, r.granted, r.requested));
  const clientMetadataUrl = config.get<string>(Settings.clientMetadataUrl) || undefined;
  const engine = new OAuthEngine({
    secrets: store, logger: logger.child('oauth'), opener, consent: consent.ask, signal: abort.signal,
    clientName: 'MCP Secure Connections (VS Code)',
    redirectTimeoutMs: (config.get<number>(Settings.redirectTimeoutSeconds) ?? 300) * 1000,
    ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
  });
  const secrets = new ServerSecrets(store);
  const tools = new ToolCache();
  const elicitation = new ElicitationPrompt(registry);
  const audit = await openAudit(context, logger);
  const observers: ToolCallObserver[] = audit ? [scopes, audit.trail] : [scopes];
  const manager = new ConnectionManager({
    logger: logger.child('mcp'),
    authorizerFor: (def) => lazyAuthorizer(engine, secrets, def),
    stdioSecretFor: (def) => secrets.stdioSecret(def),
    identityFor: identityResolver(engine, secrets),
    observers,
    elicitation: elicitation.handle,
    requestTimeoutMs: (config.get<number>(Settings.requestTimeoutSeconds) ?? 60) * 1000,
    clientInfo: { name: 'mcp-secure-connections', version: String(context.extension.packageJSON.version ?? '0.0.0') },
  });
  const guard = new StdioLaunchGuard(context.globalState);
  const actions = new ServerActions(registry, manager, guard, tools);
  return { engine, manager, actions, secrets, tools, scopes, opener, consent, guard, elicitation, audit, abort, clientMetadataUrl };
}

/** Every event that changes what the tree shows; removed servers are disconnected. */
function wireRefreshes(s: CommandServices, store: SecretStorageAdapter, core: Core): vscode.Disposable[] {
  const refresh = (): void => s.tree.refresh();
  let knownIds = s.registry.servers().map((d) => d.id);
  const onRegistryChange = async (): Promise<void> => {
    refresh();
    reportInvalid(s.registry);
    s.auth.requestSessionsSilently();
    const gone = knownIds.filter((id) => !s.registry.get(id));
    knownIds = s.registry.servers().map((d) => d.id);
    for (const id of gone) await s.actions.disconnect(id);
  };
  // Token expiry is shown relative to now ("in 5 min"): re-render once a minute.
  const clockTick = setInterval(refresh, EXPIRY_REFRESH_MS);
  return [
    toDisposable(core.manager.onDidChangeState(refresh)),
    toDisposable(core.engine.onDidChangeGrants(refresh)),
    toDisposable(core.tools.onDidChange(refresh)),
    toDisposable(core.scopes.onDidLearn(refresh)),
    toDisposable(store.onDidChange(refresh)),
    s.registry.onDidChange(() => void onRegistryChange()),
    new vscode.Disposable(() => clearInterval(clockTick)),
  ];
}

async function shutDown(core: Core): Promise<void> {
  core.abort.abort();
  await core.manager.disposeAll();
  core.engine.dispose();
  await core.audit?.trail.flush().catch(() => undefined);
  await core.audit?.store.close().catch(() => undefined);
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}

interface OpenAudit {
  readonly store: AuditStore;
  readonly trail: AuditTrail;
  readonly recent: AuditRecord[];
}

/** The audit trail lives in the extension's global storage; failing to open it is shown, not fatal. */
async function openAudit(context: vscode.ExtensionContext, logger: Logger): Promise<OpenAudit | undefined> {
  try {
    const store = await AuditStore.open({ dir: path.join(context.globalStorageUri.fsPath, 'audit') });
    const trail = new AuditTrail({ store, logger });
    const recent: AuditRecord[] = [];
    context.subscriptions.push(
      toDisposable(trail.onDidAppend((batch) => {
        recent.push(...batch.records);
        recent.splice(0, Math.max(0, recent.length - RECENT_AUDIT_RECORDS));
      })),
      toDisposable(trail.onDidFail((f) => void vscode.window.showErrorMessage(Strings.auditWriteFailed(f.unwritten)))),
    );
    return { store, trail, recent };
  } catch (e) {
    logger.error('the audit trail could not be opened', e);
    void vscode.window.showErrorMessage(Strings.auditUnavailable);
    return undefined;
  }
}

function reportInvalid(registry: ServerRegistry): void {
  const invalid = registry.invalidEntries().length;
  if (invalid > 0) {
    void vscode.window.showWarningMessage(Strings.invalidServers(invalid), Strings.openSettings).then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', Settings.servers);
    });
  }
  const ignored = registry.ignoredCount();
  if (ignored > 0) void vscode.window.showInformationMessage(Strings.untrustedIgnored(ignored));
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}
