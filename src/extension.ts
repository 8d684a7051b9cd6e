/**
 * The composition root — the only place that builds core services with their editor adapters and
 * registers everything. The prompts (browser, confirmations, elicitation) are injected here; only in
 * `ExtensionMode.Test` are they wrapped with test doubles and does `activate()` return the test API
 * (`McpSecureApi`). Installed normally, the extension exports nothing: no other extension can reach
 * its secrets, its prompts or its tool calls through `extensions.getExtension(…).exports`.
 */
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUSY_GROUP_COMMIT_MS, GROUP_COMMIT_MS, type StoreReport } from './core/audit/auditStore';
import { AuditStoreThread } from './core/audit/auditStoreThread';
import type { AuditWriter } from './core/audit/auditWriter';
import { AuditTrail } from './core/audit/auditTrail';
import { witnessKeyName } from './core/audit/auditWitness';
import type { AuditRecord } from './core/audit/auditRecord';
import { ConnectionManager } from './core/mcp/connectionManager';
import { EXTENSION_CLIENT_INFO } from './core/mcp/protocolVersions';
import { OAuthEngine } from './core/oauth/oauthEngine';
import type { Logger } from './core/ports';
import type { ToolCallObserver } from './core/toolCallObserver';
import type { CommandServices } from './vscode/services';
import { AuditExportController, OTLP_HEADERS_KEY } from './vscode/audit/auditExportController';
import { registerAuditPanel } from './vscode/audit/registerAuditPanel';
import { McpAuthProvider } from './vscode/authProvider';
import { EditorBrowserOpener } from './vscode/browserOpener';
import { ElicitationPrompt } from './vscode/elicitationPrompt';
import { withCancellableProgress } from './vscode/progress';
import { modalConfirm, type Prompts } from './vscode/prompts';
import { registerCommands } from './vscode/commands';
import { ResultDocuments } from './vscode/resultDocuments';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, LOG_CHANNEL_NAME, Settings } from './vscode/constants';
import { identityResolver } from './vscode/identities';
import { lazyAuthorizer } from './vscode/lazyAuthorizer';
import { OutputLogger } from './vscode/outputLogger';
import { Redactor } from './core/common/redaction';
import { SecretStorageAdapter } from './vscode/secretStorageAdapter';
import { ServerActions } from './vscode/serverActions';
import { ServerRegistry } from './vscode/serverRegistry';
import { ServerSecrets } from './vscode/serverSecrets';
import { StdioLaunchGuard } from './vscode/stdioLaunchGuard';
import { StepUpConsentPrompt } from './vscode/stepUpConsent';
import { Strings } from './vscode/strings';
import { useTranslator } from './vscode/localize';
import { createTestApi, type McpSecureApi } from './vscode/testApi';
import { TestSeams } from './vscode/testSeams';
import { ChatGateway } from './vscode/gateway/chatGateway';
import { scopePreflight } from './vscode/gateway/scopePreflight';
import { registerReviewToolsCommand } from './vscode/gateway/reviewToolsCommand';
import { ToolCache } from './vscode/toolCache';
import { ToolScopeKnowledge } from './vscode/toolScopes';
import { ServersTree } from './vscode/tree/serversTree';
import { LiveSettings } from './vscode/native/liveSettings';
import { registerNativeFeatures } from './vscode/native/registerNativeFeatures';
import { logListenerError, setListenerErrorHandler } from './core/common/event';

/** Set by the bundle's first line (esbuild.config.mjs banner): when evaluating the bundle began. */
declare const __mcpSecureLoadStart: number | undefined;
/** Evaluating the bundle (every module it loads eagerly) took this long; lazy modules load later. */
const bundleLoadMs = typeof __mcpSecureLoadStart === 'number' ? performance.now() - __mcpSecureLoadStart : undefined;

const RECENT_AUDIT_RECORDS = 200;
const EXPIRY_REFRESH_MS = 60_000;
let shutdown: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<McpSecureApi | undefined> {
  const started = performance.now();
  // Every message from here on is translated (l10n/bundle.l10n.<language>.json; English is the source).
  useTranslator(vscode.l10n.t);
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const redactor = new Redactor();
  const logger = new OutputLogger(channel, redactor);
  const store = new SecretStorageAdapter(context.secrets, (value) => redactor.registerSecret(value));
  const registry = new ServerRegistry();
  context.subscriptions.push(channel, registry, store, setListenerErrorHandler(logListenerError(logger)));

  const editor: Prompts = {
    opener: new EditorBrowserOpener(),
    confirm: modalConfirm,
    elicit: new ElicitationPrompt(registry).handle,
    progress: withCancellableProgress,
  };
  const seams = context.extensionMode === vscode.ExtensionMode.Test ? new TestSeams(editor) : undefined;
  const core = await buildCore(context, logger, store, registry, redactor, seams?.prompts ?? editor);
  // The tree asks the gateway (started below) what chat may use.
  const chatView: { gateway?: ChatGateway } = {};
  const auth = new McpAuthProvider(core.engine, registry, core.secrets, store, logger.child('auth'));
  const tree = new ServersTree({
    registry,
    tools: core.tools,
    scopes: core.scopes,
    state: (id) => core.manager.state(id),
    grant: async (id) => {
      const def = registry.get(id);
      return def?.transport === 'http' ? core.engine.getGrant(await core.secrets.oauthServerFor(def)) : undefined;
    },
    fingerprint: async (id) => {
      const def = registry.get(id);
      return def?.transport === 'stdio' ? core.secrets.stdioFingerprint(def) : undefined;
    },
    clientMetadataUrl: () => core.settings.clientMetadataUrl,
    now: () => Date.now(),
    chat: (id) =>
      chatView.gateway && {
        offered: chatView.gateway.definitions.offered(id) !== undefined,
        calls: chatView.gateway.callCount(id),
        ...chatView.gateway.pins.summary(id),
      },
  });
  const results = new ResultDocuments();
  const services: CommandServices = {
    ...core,
    context,
    registry,
    auth,
    tree,
    logger,
    channel,
    results,
    confirm: core.prompts.confirm,
    progress: core.prompts.progress,
    ...(seams && { importRootsOverride: () => seams.importRoots }),
  };
  context.subscriptions.push(
    auth,
    tree,
    results,
    vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, auth, {
      supportsMultipleAccounts: false,
    }),
    ...registerCommands(services),
    ...wireRefreshes(services, store, core),
  );
  const native = registerNativeFeatures(services, core.settings, {
    servers: () => registry.servers(),
    onDidChangeServers: registry.onDidChange,
    state: (id) => core.manager.state(id),
    onDidChangeState: (l) => core.manager.onDidChangeState(l),
    grant: async (def) => core.engine.getGrant(await core.secrets.oauthServerFor(def)),
    onDidChangeGrants: (l) => core.engine.onDidChangeGrants(l),
    audit: core.audit?.trail,
    now: () => Date.now(),
  });
  context.subscriptions.push(
    ...native.disposables,
    core.settings.onDidChange(() => {
      logger.info(
        `settings changed: request timeout ${core.settings.requestTimeoutMs / 1000} s, sign-in wait ${core.settings.redirectTimeoutMs / 1000} s, client metadata URL ${core.settings.clientMetadataUrl ?? '(none)'}`,
      );
      tree.refresh();
    }),
  );
  const auditPanel = core.audit
    ? registerAuditPanel(context, core.audit.trail, logger, core.audit.exporter)
    : undefined;
  // Registers the definition provider now; its socket starts listening after activation returns.
  const gateway = startGateway(context, services, redactor, core);
  context.subscriptions.push(
    registerReviewToolsCommand(
      () => chatView.gateway?.pins,
      registry,
      (id) => chatView.gateway?.toolsChanged(id),
    ),
  );
  if (gateway) {
    chatView.gateway = gateway;
    context.subscriptions.push(
      gateway.onDidChangeCalls(() => tree.refresh()),
      gateway.definitions.onDidChange(() => tree.refresh()),
    );
    tree.refresh();
  }
  shutdown = async () => {
    await gateway?.close();
    await shutDown(core);
  };

  reportInvalid(registry);
  auth.requestSessionsSilently();
  const activationMs = performance.now() - started;
  logger.info(
    `activated in ${activationMs.toFixed(1)} ms (${registry.servers().length} server(s))${bundleLoadMs === undefined ? '' : `; the bundle loaded in ${bundleLoadMs.toFixed(1)} ms`}`,
  );
  if (context.extensionMode === vscode.ExtensionMode.Test && seams) {
    return createTestApi({
      services,
      auth,
      seams,
      store,
      gateway,
      statusBar: () => native.statusBar.update().then(() => native.statusBar.snapshot()),
      auditRecords: async () => {
        await core.audit?.trail.flush();
        return core.audit?.recent ?? [];
      },
      activationMs: () => activationMs,
      auditWebviews: () => auditPanel?.openSessions() ?? [],
      bundleLoadMs,
    });
  }
  return undefined;
}

/** VS Code's own MCP client (chat, agent) through the extension; a failure to start is logged, not fatal. */
function startGateway(
  context: vscode.ExtensionContext,
  s: CommandServices,
  redactor: Redactor,
  core: Core,
): ChatGateway | undefined {
  try {
    return ChatGateway.start({
      registry: s.registry,
      actions: core.actions,
      logger: s.logger.child('gateway'),
      redact: (v) => redactor.registerSecret(v),
      bridgeScript: context.asAbsolutePath(path.join('dist', 'bridge.js')),
      version: String(context.extension.packageJSON.version ?? '0.0.0'),
      requestTimeoutMs: core.settings.requestTimeoutMs,
      changes: [(l) => core.engine.onDidChangeGrants(l)],
      observers: core.audit ? [core.audit.trail] : [],
      state: context.globalState,
      preflight: scopePreflight({
        registry: s.registry,
        scopes: core.scopes,
        grant: async (id) => {
          const def = s.registry.get(id);
          return def?.transport === 'http' ? core.engine.getGrant(await core.secrets.oauthServerFor(def)) : undefined;
        },
        consent: core.consent.ask,
        signIn: (def, scopes) => s.auth.signIn(def, scopes),
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
  readonly prompts: Prompts;
  readonly consent: StepUpConsentPrompt;
  readonly guard: StdioLaunchGuard;
  readonly audit: OpenAudit | undefined;
  readonly abort: AbortController;
  /** Settings read at every use, so changes take effect at once (issue 12, item 6). */
  readonly settings: LiveSettings;
}

/** The core services (OAuth engine, connection manager, audit trail) over the editor adapters. */
async function buildCore(
  context: vscode.ExtensionContext,
  logger: Logger,
  store: SecretStorageAdapter,
  registry: ServerRegistry,
  redactor: Redactor,
  prompts: Prompts,
): Promise<Core> {
  const abort = new AbortController();
  const opener = prompts.opener;
  const scopes = new ToolScopeKnowledge();
  const consent = new StepUpConsentPrompt(registry, prompts.confirm, (r) =>
    scopes.noteStepUp(r.serverId, r.granted, r.requested),
  );
  const settings = new LiveSettings();
  context.subscriptions.push(settings);
  // Getters: the engine reads its options at every sign-in, so a changed setting applies to the next one.
  const engine = new OAuthEngine({
    secrets: store,
    logger: logger.child('oauth'),
    opener,
    consent: consent.ask,
    signal: abort.signal,
    clientName: 'MCP Secure Connections (VS Code)',
    get redirectTimeoutMs() {
      return settings.redirectTimeoutMs;
    },
    get clientMetadataUrl() {
      return settings.clientMetadataUrl;
    },
  });
  const secrets = new ServerSecrets(store);
  const tools = new ToolCache();
  const audit = await openAudit(context, logger, store, redactor);
  const observers: ToolCallObserver[] = audit ? [scopes, audit.trail] : [scopes];
  const manager = new ConnectionManager({
    logger: logger.child('mcp'),
    authorizerFor: (def) => lazyAuthorizer(engine, secrets, def),
    stdioSecretFor: (def) => secrets.stdioSecret(def),
    definitionSecretsFor: (def) => secrets.definitionSecrets(def),
    identityFor: identityResolver(engine, secrets),
    observers,
    elicitation: prompts.elicit,
    requestTimeoutMs: () => settings.requestTimeoutMs,
    clientInfo: EXTENSION_CLIENT_INFO,
  });
  const guard = new StdioLaunchGuard(context.globalState, prompts.confirm);
  const actions = new ServerActions(registry, manager, guard, tools);
  return { engine, manager, actions, secrets, tools, scopes, prompts, consent, guard, audit, abort, settings };
}

/** Every event that changes what the tree shows; removed servers are disconnected. */
function wireRefreshes(s: CommandServices, store: SecretStorageAdapter, core: Core): vscode.Disposable[] {
  const refresh = (): void => s.tree.refresh();
  const definitions = (): Map<string, string> => new Map(s.registry.servers().map((d) => [d.id, JSON.stringify(d)]));
  let known = definitions();
  const onRegistryChange = async (): Promise<void> => {
    refresh();
    reportInvalid(s.registry);
    s.auth.requestSessionsSilently();
    // A removed server, or one whose definition changed (a changed definition is a new server), is disconnected.
    const next = definitions();
    const stale = [...known].filter(([id, def]) => next.get(id) !== def).map(([id]) => id);
    known = next;
    for (const id of stale) await s.actions.disconnect(id);
  };
  // Token expiry is shown relative to now ("in 5 min"): re-render once a minute.
  const clockTick = setInterval(refresh, EXPIRY_REFRESH_MS);
  return [
    core.manager.onDidChangeState(refresh),
    core.engine.onDidChangeGrants(refresh),
    core.tools.onDidChange(refresh),
    core.scopes.onDidLearn(refresh),
    store.onDidChange(refresh),
    s.registry.onDidChange(() => void onRegistryChange()),
    new vscode.Disposable(() => clearInterval(clockTick)),
  ];
}

async function shutDown(core: Core): Promise<void> {
  core.abort.abort();
  await core.manager.disposeAll();
  core.engine.dispose();
  await core.audit?.trail.flush().catch(() => undefined);
  await core.audit?.exporter.flush().catch(() => undefined);
  await core.audit?.store.close().catch(() => undefined);
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}

interface OpenAudit {
  readonly store: AuditWriter;
  readonly trail: AuditTrail;
  readonly exporter: AuditExportController;
  readonly recent: AuditRecord[];
}

/**
 * The audit trail lives in the extension's global storage; failing to open it is shown, not fatal.
 * Its head is witnessed in `audit-head.json` beside (not inside) the audit folder, under an HMAC key in
 * SecretStorage. A file and not globalState: the head is read and written under the folder's
 * cross-process lock, and globalState reaches other windows only asynchronously, so a window could
 * take another window's retention for tampering (or the reverse). `redactor` is the one shared with the
 * output channel: secrets seen in SecretStorage are redacted from records too.
 */
async function openAudit(
  context: vscode.ExtensionContext,
  logger: Logger,
  secrets: SecretStorageAdapter,
  redactor: Redactor,
): Promise<OpenAudit | undefined> {
  try {
    const dir = path.join(context.globalStorageUri.fsPath, 'audit');
    // The store runs on its own thread (sealing, lock, fdatasync, witnessed head off the event loop the
    // tool calls use); it opens in the background (repair, witness check) with the first operation, and
    // every record handed over meanwhile waits for the opening: nothing is lost.
    const store = new AuditStoreThread({
      script: context.asAbsolutePath(path.join('dist', 'auditWorker.js')),
      store: { dir },
      witness: {
        headPath: path.join(context.globalStorageUri.fsPath, 'audit-head.json'),
        keyName: witnessKeyName(dir),
        secrets,
      },
      commitDelayMs: GROUP_COMMIT_MS,
      busyCommitDelayMs: BUSY_GROUP_COMMIT_MS,
    });
    const trail = new AuditTrail({ store, logger, redactor });
    const log = logger.child('audit');
    const onReport = (r: StoreReport): void => {
      log.warn(r.message);
      if (r.kind === 'integrity_violation') void vscode.window.showErrorMessage(Strings.auditIntegrity(r.message));
      if (r.kind === 'witness_started') void vscode.window.showInformationMessage(Strings.auditWitnessStarted);
    };
    context.subscriptions.push(store.onDidReport(onReport));
    // after activation: starting the thread is not part of rendering the first view
    setImmediate(() =>
      store.whenOpen().catch((e: unknown) => {
        logger.error('the audit trail could not be opened', e);
        void vscode.window.showErrorMessage(Strings.auditUnavailable);
      }),
    );
    const exporter = new AuditExportController({
      trail,
      secrets,
      logger: log,
      endpoint: () => vscode.workspace.getConfiguration().get<string>(Settings.auditOtlpEndpoint),
    });
    await exporter.apply();
    const recent: AuditRecord[] = [];
    context.subscriptions.push(
      exporter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.auditOtlpEndpoint)) void exporter.apply();
      }),
      context.secrets.onDidChange((e) => {
        if (e.key === OTLP_HEADERS_KEY) void exporter.apply();
      }),

      trail.onDidAppend((batch) => {
        recent.push(...batch.records);
        recent.splice(0, Math.max(0, recent.length - RECENT_AUDIT_RECORDS));
      }),
      trail.onDidFail((f) => void vscode.window.showErrorMessage(Strings.auditWriteFailed(f.unwritten))),
    );
    return { store, trail, exporter, recent };
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
