import { SAFE_TEXT_MAX, safeText, type Inert } from '../core/common/safeText';

/**
 * Every user-visible string of the extension layer, in one place (ready for l10n). Every argument a
 * function here interpolates goes through `safeText` (see `withSafeArguments` at the end), so a server
 * name, tool name, account label or error text can never become a `command:` link, a codicon or
 * reordered text in a notification, progress title, modal, quick pick or tree item — whatever the caller
 * passed. Entries added here are covered automatically.
 */
const TEXT = {
  // progress and notifications
  signingIn: (server: string) => `Signing in to ${server}…`,
  signedIn: (server: string, account: string) => `Signed in to ${server} as ${account}.`,
  signedOutNotRevoked: (server: string, why: string) =>
    `Signed out of ${server} on this machine, but the server did not confirm revocation: ${why}`,
  connecting: (server: string) => `Connecting to ${server}…`,
  connected: (server: string) => `Connected to ${server}.`,
  disconnected: (server: string) => `Disconnected from ${server}.`,
  callingTool: (tool: string, server: string) => `Calling ${tool} on ${server}…`,
  listingTools: (server: string) => `Listing tools of ${server}…`,
  noTools: (server: string) => `${server} offers no tools.`,
  operationFailed: (what: string, why: string) => `${what} failed: ${why}`,
  cancelled: 'Cancelled.',
  auditWriteFailed: (pending: number) =>
    `Audit records could not be written (${pending} waiting in memory). Check disk space and permissions.`,
  auditUnavailable: 'The audit trail could not be opened; tool calls are not being recorded. See the MCP Secure log.',
  secretStoreFailed: "Could not save to the editor's secret storage. Nothing was changed.",

  // server registry
  invalidServers: (count: number) =>
    `${count} MCP server definition(s) in settings are invalid. See the MCP Secure Servers view.`,
  openSettings: 'Open Settings',
  duplicateId: (id: string) => `Another server already uses the id "${id}".`,
  clientSecretInSettings:
    'oauth.clientSecret must not be stored in settings; add the server with the Add Server command so the secret goes to secret storage.',
  untrustedIgnored: (count: number) =>
    `${count} server(s) from workspace settings are ignored until the workspace is trusted.`,
  serverAdded: (name: string) => `Added MCP server ${name}.`,
  serverRemoved: (name: string) => `Removed MCP server ${name}.`,
  removeConfirm: (name: string) => `Remove MCP server "${name}"? Its sign-in grant and shared secret are deleted too.`,
  remove: 'Remove',
  noServers: 'No MCP servers are configured. Add one first.',

  // stdio launch confirmation
  confirmStdioLaunch: (name: string, origin: string) =>
    `The ${origin} settings define the MCP server "${name}", which starts a local program. Run it?`,
  confirmStdioDetail: (
    commandLine: Inert | string,
    cwd: Inert | string | undefined,
    env: readonly (Inert | string)[],
  ) =>
    `Command line:\n${commandLine}${cwd ? `\n\nWorking directory:\n${cwd}` : ''}${env.length ? `\n\nEnvironment:\n${env.join('\n')}` : ''}\n\nOnly allow programs you trust. You are asked again if any of this changes.`,
  allowRun: 'Run',
  launchRefused: 'The stdio server was not started.',

  // step-up
  stepUpTitle: (server: string) => `${server} asks for more access`,
  stepUpDetail: (granted: string, requested: string) =>
    `Currently granted: ${granted || '(none)'}\nRequested: ${requested}\n\nAllow signing in again with the wider scope?`,
  allowStepUp: 'Allow',

  // elicitation
  elicitTitle: (server: string) => `${server} asks for information`,
  elicitRespond: 'Respond…',
  elicitDecline: 'Decline',

  // rotate secret
  rotateConfirm: (name: string) =>
    `Rotate the shared secret of "${name}"? The server is restarted with the new secret.`,
  rotate: 'Rotate',
  rotated: (name: string, fingerprint: string) => `New shared secret for ${name} (${fingerprint}).`,
  showSnippet: 'Show Server Snippet',

  // add server wizard
  pickTransport: 'How does the server run?',
  transportHttp: 'HTTP (Streamable HTTP URL)',
  transportHttpDetail: 'A remote or local server; sign-in with OAuth 2.1 + PKCE when it asks for it',
  transportStdio: 'stdio (local command)',
  transportStdioDetail: 'A local program; authenticated with a generated shared secret',
  enterUrl: 'MCP endpoint URL (https:, or http: on 127.0.0.1/localhost)',
  enterCommand: 'Command: absolute path, or a program on PATH',
  enterArgs: 'Arguments (JSON array, e.g. ["server.js","--flag"]) — leave empty for none',
  argsInvalid: 'Enter a JSON array of strings.',
  enterName: 'Display name',
  enterId: 'Server id (letters, digits, ".", "_", "-")',
  idInvalid: 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
  pickOptions: 'Optional OAuth settings (pick any, or press Enter to skip)',
  optClientId: 'Static client id',
  optClientSecret: 'Client secret (stored in secret storage)',
  optScopes: 'Scopes to request',
  optPkce: 'Assume PKCE S256 when not advertised',
  optResource: 'Resource parameter mode',
  enterClientId: 'Pre-registered OAuth client id',
  enterClientSecret: 'Client secret for the static client id (kept in secret storage only)',
  enterScopes: 'Space-separated scopes, e.g. "tickets:read offline_access"',
  pickResourceMode: 'How to send the resource indicator (RFC 8707)',

  // pickers and tool calls
  pickServer: 'Choose an MCP server',
  pickTool: 'Choose a tool',
  toolArg: (name: string, required: boolean, type: string) => `${name} (${type}${required ? ', required' : ''})`,
  argInvalid: (type: string) => `Enter a valid ${type}.`,
  jsonArgsEditor: 'Edit the arguments as JSON, then choose "Call Tool" in the notification.',
  callWithArgs: 'Call Tool',
  argsNotJson: 'The arguments are not a JSON object.',
  toolError: (tool: string) => `The tool ${tool} reported an error; its result is open in an editor.`,

  // tree
  stateStopped: 'Disconnected',
  stateStarting: 'Connecting…',
  stateRunning: (wire: string, version: string) => `Connected (${wire}, ${version})`,
  stateError: (message: string) => `Error: ${message}`,
  transportLabel: (transport: string) => (transport === 'http' ? 'HTTP' : 'stdio'),
  human: 'Human',
  agent: 'Agent',
  server: 'Server',
  notSignedIn: 'not signed in',
  notApplicable: 'local process (no account)',
  sharedSecret: (fingerprint: string) => `shared secret ${fingerprint}`,
  sharedSecretNone: 'no shared secret',
  sharedSecretPending: 'shared secret (created on first connect)',
  clientIdLabel: (clientId: string) => `OAuth client ${clientId}`,
  resourceLabel: (resource: string, issuer: string) => `${resource} — issuer ${issuer}`,
  grantedScopes: 'Granted scopes',
  notGranted: 'requested, not granted',
  granted: 'granted',
  expires: (when: string) => `Token expires ${when}`,
  expired: (when: string) => `Token expired ${when}`,
  tools: (count: number) => `Tools (${count})`,
  toolsUnknown: 'Tools (connect to list)',
  toolLocked: (scope: string) => `Needs scope ${scope}, which is not granted`,
  invalidEntry: (index: number) => `Invalid server #${index + 1}`,
  fromWorkspace: 'workspace',
  fromUser: 'user',
  commandLine: 'Command',

  // auth provider
  accountFallback: (serverName: string) => `${serverName} account`,
  noServerScope: 'Sign-in needs a server:<id> scope naming an MCP server.',
  unknownServer: (id: string) => `No MCP server with id "${id}".`,
  httpOnly: 'Only HTTP servers use sign-in; stdio servers use a shared secret.',

  // credentials bound to what they were issued for (sec-creds)
  secretEnvLine: (envVar: string) => `${envVar}=(the server's shared secret, set at launch)`,

  // audit integrity and off-machine export (sec-audit)
  auditIntegrity: (message: string) =>
    `Audit log integrity check failed: ${message}. Run "Verify Audit Log Integrity" for details.`,
  auditWitnessStarted:
    'The audit log is now protected against removed records; records written before now cannot be checked for removal.',
  exportHeadersPrompt:
    'Headers sent to the audit collector, as name=value pairs separated by commas (e.g. Authorization=Bearer%20…). Kept in secret storage. Leave empty to remove the stored headers.',
  exportHeadersPlaceholder: 'Authorization=Bearer%20<token>',
  exportHeadersSaved: 'Audit export headers saved in secret storage.',
  exportHeadersRemoved: 'Audit export headers removed.',

  // --- sec-ui (issue 7, items 1-2): confirmations for commands reachable from links ---
  commandNotApplicable: (name: string) => `This command does not apply to ${name}.`,
  removeInvalidConfirm: (label: string, origin: string) =>
    `Remove the invalid server entry "${label}" from the ${origin} settings?`,
  importAction: 'Import',
  callToolConfirm: (tool: string, server: string) => `Call the tool "${tool}" on ${server} with these arguments?`,
  callToolDetail: (args: Inert) =>
    `${args}\n\nThe call was requested by a link, a keybinding or another extension, not from the tool picker.`,
  callToolAction: 'Call Tool',

  // gateway (VS Code's chat and agent through MCP Secure) — issue 8
  gatewayNeedsSignIn: (server: string) =>
    `Sign in to ${server} from the Accounts menu (MCP Secure Connections), then try again.`,
  gatewayNeedsStepUp: (server: string, why: string) =>
    `${server} needs more access than is granted (${why}). Allow it when MCP Secure asks, or sign in to ${server} again from the Accounts menu with the wider scope.`,
  gatewayServerFailed: (server: string, why: string) => `${server} is not available through MCP Secure: ${why}`,
  chatLabel: 'Chat',
  chatOffered: (calls: number) => `offered through MCP Secure · ${calls} chat call${calls === 1 ? '' : 's'}`,
  chatNotOffered: 'not offered (exposeToChat or mcpSecure.gateway.enabled is off)',
  chatTooltip:
    "VS Code's chat and agent reach this server only through MCP Secure, with its sign-in, policy and audit.",
  toolHeldBack: (tool: string) =>
    `The definition of the tool "${tool}" changed since it was approved for chat (or carries hidden characters), so MCP Secure holds it back. Review it with "MCP Secure: Review Changed Tool Definitions".`,
  toolHeldBackAudit: 'Tool definition changed or carries hidden characters: held back from chat until reviewed.',
  toolsHeldBackNotice: (server: string, count: number) =>
    `${count} tool definition(s) of ${server} changed or carry hidden characters; they are held back from chat until you review them.`,
  reviewTools: 'Review',
  noToolsHeldBack: 'No tool definitions are held back from chat.',
  pickHeldBackTool: 'Tool definitions held back from chat',
  heldBackChanged: 'definition changed since it was approved',
  heldBackHidden: (chars: string) => `hidden characters: ${chars}`,
  heldBackNew: 'new tool',
  pinDiffTitle: (server: string, tool: string) => `${server}: ${tool} (approved ↔ offered now)`,
  acceptToolTitle: (server: string, tool: string) => `Let chat use the new definition of "${tool}" from ${server}?`,
  acceptToolDetail: (hidden: string) =>
    `Compare both versions in the diff editor first: a server can hide instructions for the agent in a description or schema.${hidden ? `\n\nIt contains hidden characters: ${hidden}.` : ''}`,
  acceptTool: 'Accept for Chat',
  chatHeldBack: (n: number) => `${n} held back`,
  chatHidden: (n: number) => `${n} with hidden characters`,
  chatConflicts: (names: string) => `name conflict: ${names}`,
  gatewayNotOffered:
    "This server is not offered to chat (MCP Secure: mcpSecure.gateway.enabled or the server's exposeToChat is off).",

  // native feel (issue 12): security report, status bar, live settings
  checkingSecurity: (server: string) => `Checking the security of ${server}…`,
  statusLabel: 'MCP',
  statusTitle: 'MCP Secure Connections',
  statusNoServers: 'No MCP servers yet.',
  statusConnected: (connected: number, total: number) => `${connected} of ${total} server(s) connected`,
  statusState: (kind: 'stopped' | 'starting' | 'running' | 'error') =>
    (
      ({
        stopped: 'not connected',
        starting: 'connecting…',
        running: 'connected',
        error: 'connection failed',
      }) as Record<string, string>
    )[kind] ?? kind,
  statusExpired: (server: string) => `⚠ The sign-in to ${server} expired: sign in again.`,
  statusAuditUnavailable: '⚠ The audit log could not be opened: tool calls are not being recorded.',
  statusAuditFailing: (pending: number) =>
    `⚠ The audit log cannot be written (${pending} record(s) waiting in memory).`,
  statusClick: 'Click to open the Servers view.',
  // --- audit log in the editor area (issue 12, item 1) ---
  auditEditorTitle: 'Audit Log',

  // real-world readiness (issue 11)
  registrationForgotten: (server: string, issuers: string) =>
    `Signed out of ${server} and forgot its client registration at ${issuers}. The next sign-in registers a new client.`,
  signedOutReport: (server: string, report: string) => `${server}: ${report}`,
  toolReturnedLink: (name: string, uri: string) => `The tool returned a link: ${name} (${uri})`,
  openLink: 'Open Link',
  noRegistrationStored: (server: string) => `Signed out of ${server}; it has no stored client registration to forget.`,

  // --- import from other MCP clients (issue 12, item 7) ---
  importStoredSecretEnvLine: (name: string) => `${name}=(a stored secret, set at launch)`,
  importPickTitle: 'Import MCP Servers',
  importPickPlaceholder: 'Where are the servers to import?',
  importSourceCount: (count: number) => `${count} server(s)`,
  importSourceUnreadable: (why: string) => `cannot be read: ${why}`,
  importSourcePath: (file: string) => file,
  importNoSources:
    'No MCP configuration of VS Code, Claude Desktop, Cursor or Claude Code was found (user-level files, and workspace files in a trusted folder).',
  importUntrustedWorkspace:
    'Workspace files are not imported in Restricted Mode: their servers could launch programs. Trust the folder first.',
  importSourceMissing: (source: string) => `No ${source} configuration file was found.`,
  importSourceEmpty: (source: string) => `${source} defines no MCP servers.`,
  importPreviewMessage: (count: number, source: string, target: string) =>
    `Add ${count} server(s) from ${source} to the ${target} settings?`,
  importPreviewNothing: (source: string) => `Nothing to import from ${source}.`,
  importAddLine: (name: string, id: string, target: string) => `+ ${name} (as "${id}"): ${target}`,
  importSkipLine: (name: string, why: string) => `- ${name}: skipped, ${why}`,
  importSecretsNote: (count: number) =>
    `${count} credential(s) found in env or headers go to the editor's secret storage; the settings only name them.`,
  importLaunchNote: 'Local programs among them are shown in full and confirmed before their first start.',
  importSkippedHeading: 'Skipped:',
  importAddedHeading: 'Will be added:',
  importDone: (count: number, source: string) => `Imported ${count} server(s) from ${source}.`,
  importRetireMessage: (count: number, file: string) =>
    `Remove the ${count} imported server(s) from ${file}, so that chat does not see their tools twice?`,
  importRetireDetail: (backup: string) =>
    `The file is copied to ${backup} first. Comments in the file are not kept (the copy has them).`,
  importRetireAction: 'Remove from Original',
  importRetired: (count: number, backup: string) =>
    `Removed ${count} server(s) from the original file; backup: ${backup}.`,
  importRetireOtherApp: (source: string, names: readonly string[]) =>
    `${source} still defines ${names.join(', ')}. Remove them there if its agent and VS Code's chat should not both see their tools. MCP Secure does not edit other apps' settings.`,
  importSourceLabel: (id: string) => (Object.hasOwn(IMPORT_SOURCE_LABELS, id) ? IMPORT_SOURCE_LABELS[id] : id) ?? id,
  importSkipReason: (reason: string) =>
    (Object.hasOwn(IMPORT_SKIP_REASONS, reason) ? IMPORT_SKIP_REASONS[reason] : reason) ?? reason,
  importSkipWhy: (reason: string, detail: string) => `${reason} (${detail})`,
} as const;

/** Names of the import sources (`ImportSourceId` in src/core/import/importSources.ts). */
const IMPORT_SOURCE_LABELS: Readonly<Record<string, string>> = {
  vscodeWorkspace: "VS Code (this workspace's .vscode/mcp.json)",
  vscodeUser: 'VS Code (user mcp.json)',
  claudeDesktop: 'Claude Desktop',
  cursorUser: 'Cursor (user mcp.json)',
  cursorWorkspace: "Cursor (this workspace's .cursor/mcp.json)",
  claudeCodeWorkspace: "Claude Code / Copilot (this workspace's .mcp.json)",
  claudeCodeUser: 'Claude Code (~/.claude.json)',
};

/** Short names of `ImportSkipReason` (src/core/import/importPlan.ts). */
const IMPORT_SKIP_REASONS: Readonly<Record<string, string>> = {
  duplicate_id: 'duplicate id',
  unsupported_transport: 'unsupported transport',
  invalid_url: 'invalid URL',
  invalid_definition: 'invalid definition',
  already_present: 'already present',
  uses_variables: 'uses variables',
  secret_in_args: 'credential in arguments',
};

/** Per-function bound for each interpolated argument; the stdio launch confirmation shows the full command. */
const ARGUMENT_LIMITS: Partial<Record<keyof typeof TEXT, number>> = {
  confirmStdioDetail: 8000,
  stateError: 300,
  operationFailed: 600,
  signedOutNotRevoked: 600,
  signedOutReport: 1500,
};

export const Strings = withSafeArguments(TEXT, ARGUMENT_LIMITS);

type StringTable = Record<string, string | ((...args: never[]) => string)>;

/**
 * The same table, with every function wrapped so that each string argument (and each string in an
 * array argument) is passed through `safeText` before it is interpolated. Numbers and booleans pass
 * unchanged; constant strings are ours and stay as they are.
 */
export function withSafeArguments<T extends StringTable>(table: T, limits: Partial<Record<keyof T, number>> = {}): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table)) {
    if (typeof entry !== 'function') {
      wrapped[key] = entry;
      continue;
    }
    const max = limits[key as keyof T] ?? SAFE_TEXT_MAX;
    const clean = (arg: unknown): unknown =>
      typeof arg === 'string'
        ? safeText(arg, max)
        : Array.isArray(arg)
          ? arg.map((a: unknown) => (typeof a === 'string' ? safeText(a, max) : a))
          : arg;
    wrapped[key] = (...args: unknown[]) => (entry as (...a: unknown[]) => string)(...args.map(clean));
  }
  return wrapped as T;
}
