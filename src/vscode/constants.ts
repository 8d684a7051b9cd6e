/**
 * Every identifier the extension shares with package.json, in one table each: command ids, view ids,
 * context keys, setting keys, the authentication provider id and SecretStorage key prefixes.
 * `test/unit/manifest.test.ts` cross-checks these tables against the manifest in both directions.
 */

export const EXTENSION_ID = 'mcp-secure.mcp-secure-connections';

export const AUTH_PROVIDER_ID = 'mcp-secure';
/** Session scopes carry this marker so a session always names the MCP server it belongs to. */
export const SERVER_SCOPE_PREFIX = 'server:';

export const Commands = {
  addServer: 'mcpSecure.addServer',
  importServers: 'mcpSecure.importServers',
  removeServer: 'mcpSecure.removeServer',
  connect: 'mcpSecure.connect',
  disconnect: 'mcpSecure.disconnect',
  signIn: 'mcpSecure.signIn',
  signOut: 'mcpSecure.signOut',
  listTools: 'mcpSecure.listTools',
  callTool: 'mcpSecure.callTool',
  rotateSecret: 'mcpSecure.rotateSecret',
  showLog: 'mcpSecure.showLog',
  refresh: 'mcpSecure.refresh',
  openSettings: 'mcpSecure.openSettings',
  forgetClientRegistration: 'mcpSecure.forgetClientRegistration',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Registered by the audit panel (`src/vscode/audit/registerAuditPanel.ts`); contributed here. */
export const AuditCommands = {
  refresh: 'mcpSecure.audit.refresh',
  verify: 'mcpSecure.audit.verify',
  export: 'mcpSecure.audit.export',
  clear: 'mcpSecure.audit.clear',
  setExportHeaders: 'mcpSecure.audit.setExportHeaders',
  openInEditor: 'mcpSecure.audit.openInEditor',
} as const;

/** Registered by the gateway (`src/vscode/gateway/reviewToolsCommand.ts`); contributed here. */
export const GatewayCommands = {
  reviewTools: 'mcpSecure.gateway.reviewTools',
} as const;

/** Registered by `src/vscode/native/registerNativeFeatures.ts` (NATIVE_COMMANDS); contributed here. */
export const NativeCommands = {
  checkSecurity: 'mcpSecure.checkSecurity',
} as const;

/** The Get Started walkthrough (`contributes.walkthroughs`), as `<publisher>.<name>#<id>`. */
export const WALKTHROUGH_ID = 'mcp-secure.mcp-secure-connections#mcpSecure.getStarted';

export const Views = {
  container: 'mcpSecure',
  servers: 'mcpSecure.servers',
  auditLog: 'mcpSecure.auditLog',
  /** The audit log's editor tab (a webview panel type; `onWebviewPanel:` activation event). */
  auditLogEditor: 'mcpSecure.auditLogEditor',
} as const;

export const ContextKeys = {
  hasServers: 'mcpSecure.hasServers',
  hasInvalidServers: 'mcpSecure.hasInvalidServers',
} as const;

export const Settings = {
  section: 'mcpSecure',
  servers: 'mcpSecure.servers',
  clientMetadataUrl: 'mcpSecure.clientMetadataUrl',
  requestTimeoutSeconds: 'mcpSecure.requestTimeoutSeconds',
  redirectTimeoutSeconds: 'mcpSecure.redirectTimeoutSeconds',
  /** OTLP/HTTP collector the audit log is forwarded to (machine scope: never from a workspace). */
  auditOtlpEndpoint: 'mcpSecure.audit.otlp.endpoint',
  gatewayEnabled: 'mcpSecure.gateway.enabled',
  gatewayTools: 'mcpSecure.gateway.tools',
} as const;

/** Settings that could redirect credentials or launch processes: ignored in untrusted workspaces. */
export const RESTRICTED_SETTINGS: readonly string[] = [
  Settings.servers,
  Settings.clientMetadataUrl,
  Settings.auditOtlpEndpoint,
];

/** Keys in `ExtensionContext.globalState`. */
export const StateKeys = {
  confirmedStdioCommands: 'mcpSecure.confirmedStdioCommands',
  /** Gateway tool pins: server id → tool name → digest + accepted definition (issue 8). */
  gatewayToolPins: 'mcpSecure.gateway.toolPins',
} as const;

/** SecretStorage keys owned by the extension layer (the OAuth engine owns its own keys). */
export const SecretKeys = {
  stdioSecret: (serverId: string): string => `mcpSecure.stdioSecret/${serverId}`,
  clientSecret: (serverId: string): string => `mcpSecure.clientSecret/${serverId}`,
  /** Values of a definition's `secretEnv` / `secretHeaders` (e.g. moved here by an import). */
  definitionSecrets: (serverId: string): string => `mcpSecure.definitionSecrets/${serverId}`,
} as const;

/** Tree item context values (menus match on them with `viewItem =~ /^server:/` etc.). */
export const ItemContext = {
  server: 'server',
  invalidServer: 'invalidServer',
  identity: 'identity',
  scope: 'scope',
  expiry: 'expiry',
  toolsGroup: 'toolsGroup',
  tool: 'tool',
  message: 'message',
} as const;

/** The gateway's `contributes.mcpServerDefinitionProviders` id. */
export const GATEWAY_PROVIDER_ID = 'mcpSecure.gateway';

export const LOG_CHANNEL_NAME = 'MCP Secure Connections';
export const AUTH_PROVIDER_LABEL = 'MCP Secure Connections';
