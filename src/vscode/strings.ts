import { SAFE_TEXT_MAX, safeText, type Inert } from '../core/common/safeText';
import { t, translateConstant } from './localize';

/**
 * Every user-visible string of the extension layer, in one place, localised through `vscode.l10n.t`
 * (see ./localize.ts): functions build their message with `t('… {0} …', arg)`, constants are English
 * literals that `Strings` translates each time they are read (they are read after activation, when the
 * translator is set). scripts/l10nBundle.ts collects both kinds into l10n/bundle.l10n.json.
 *
 * Every argument a function here interpolates goes through `safeText` first (see `withSafeArguments`
 * at the end), so a server name, tool name, account label or error text can never become a `command:`
 * link, a codicon or reordered text in a notification, progress title, modal, quick pick or tree item —
 * whatever the caller passed, and whatever the translation. Entries added here are covered automatically.
 *
 * Messages from src/core (error texts, verification results) are English and reach the user only as an
 * argument of an entry here (e.g. `operationFailed(what, why)`), sanitised like any other argument: the
 * core stays editor-free, and its messages are also the CLI's and the logs' words.
 */
const TEXT = {
  // progress and notifications
  signingIn: (server: string) => t('Signing in to {0}…', server),
  signedIn: (server: string, account: string) => t('Signed in to {0} as {1}.', server, account),
  signedOutNotRevoked: (server: string, why: string) =>
    t('Signed out of {0} on this machine, but the server did not confirm revocation: {1}', server, why),
  connecting: (server: string) => t('Connecting to {0}…', server),
  connected: (server: string) => t('Connected to {0}.', server),
  disconnected: (server: string) => t('Disconnected from {0}.', server),
  callingTool: (tool: string, server: string) => t('Calling {0} on {1}…', tool, server),
  listingTools: (server: string) => t('Listing tools of {0}…', server),
  noTools: (server: string) => t('{0} offers no tools.', server),
  operationFailed: (what: string, why: string) => t('{0} failed: {1}', what, why),
  cancelled: 'Cancelled.',
  auditWriteFailed: (pending: number) =>
    t('Audit records could not be written ({0} waiting in memory). Check disk space and permissions.', pending),
  auditUnavailable: 'The audit trail could not be opened; tool calls are not being recorded. See the MCP Secure log.',
  secretStoreFailed: "Could not save to the editor's secret storage. Nothing was changed.",

  // server registry
  invalidServers: (count: number) =>
    t('{0} MCP server definition(s) in settings are invalid. See the MCP Secure Servers view.', count),
  openSettings: 'Open Settings',
  duplicateId: (id: string) => t('Another server already uses the id "{0}".', id),
  clientSecretInSettings:
    'oauth.clientSecret must not be stored in settings; add the server with the Add Server command so the secret goes to secret storage.',
  untrustedIgnored: (count: number) =>
    t('{0} server(s) from workspace settings are ignored until the workspace is trusted.', count),
  serverAdded: (name: string) => t('Added MCP server {0}.', name),
  serverRemoved: (name: string) => t('Removed MCP server {0}.', name),
  removeConfirm: (name: string) =>
    t('Remove MCP server "{0}"? Its sign-in grant and shared secret are deleted too.', name),
  remove: 'Remove',
  noServers: 'No MCP servers are configured. Add one first.',

  // stdio launch confirmation
  confirmStdioLaunch: (name: string, origin: string) =>
    t('The {0} settings define the MCP server "{1}", which starts a local program. Run it?', origin, name),
  confirmStdioDetail: (
    commandLine: Inert | string,
    cwd: Inert | string | undefined,
    env: readonly (Inert | string)[],
  ) =>
    [
      t('Command line:\n{0}', String(commandLine)),
      ...(cwd ? [t('Working directory:\n{0}', String(cwd))] : []),
      ...(env.length ? [t('Environment:\n{0}', env.join('\n'))] : []),
      t('Only allow programs you trust. You are asked again if any of this changes.'),
    ].join('\n\n'),
  allowRun: 'Run',
  launchRefused: 'The stdio server was not started.',

  // step-up
  stepUpTitle: (server: string) => t('{0} asks for more access', server),
  stepUpDetail: (granted: string, requested: string) =>
    t(
      'Currently granted: {0}\nRequested: {1}\n\nAllow signing in again with the wider scope?',
      granted || t('(none)'),
      requested,
    ),
  allowStepUp: 'Allow',

  // elicitation
  elicitTitle: (server: string) => t('{0} asks for information', server),
  elicitRespond: 'Respond…',
  elicitDecline: 'Decline',

  // rotate secret
  rotateConfirm: (name: string) =>
    t('Rotate the shared secret of "{0}"? The server is restarted with the new secret.', name),
  rotate: 'Rotate',
  rotated: (name: string, fingerprint: string) => t('New shared secret for {0} ({1}).', name, fingerprint),
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
  toolArg: (name: string, required: boolean, type: string) =>
    required ? t('{0} ({1}, required)', name, type) : t('{0} ({1})', name, type),
  argInvalid: (type: string) => t('Enter a valid {0}.', type),
  jsonArgsEditor: 'Edit the arguments as JSON, then choose "Call Tool" in the notification.',
  callWithArgs: 'Call Tool',
  argsNotJson: 'The arguments are not a JSON object.',
  toolError: (tool: string) => t('The tool {0} reported an error; its result is open in an editor.', tool),

  // tree
  stateStopped: 'Disconnected',
  stateStarting: 'Connecting…',
  stateRunning: (wire: string, version: string) => t('Connected ({0}, {1})', wire, version),
  stateError: (message: string) => t('Error: {0}', message),
  transportLabel: (transport: string) => (transport === 'http' ? 'HTTP' : 'stdio'),
  human: 'Human',
  agent: 'Agent',
  server: 'Server',
  notSignedIn: 'not signed in',
  notApplicable: 'local process (no account)',
  sharedSecret: (fingerprint: string) => t('shared secret {0}', fingerprint),
  sharedSecretNone: 'no shared secret',
  sharedSecretPending: 'shared secret (created on first connect)',
  clientIdLabel: (clientId: string) => t('OAuth client {0}', clientId),
  resourceLabel: (resource: string, issuer: string) => t('{0} — issuer {1}', resource, issuer),
  grantedScopes: 'Granted scopes',
  notGranted: 'requested, not granted',
  granted: 'granted',
  expires: (when: string) => t('Token expires {0}', when),
  expired: (when: string) => t('Token expired {0}', when),
  tools: (count: number) => t('Tools ({0})', count),
  toolsUnknown: 'Tools (connect to list)',
  toolLocked: (scope: string) => t('Needs scope {0}, which is not granted', scope),
  invalidEntry: (index: number) => t('Invalid server #{0}', index + 1),
  fromWorkspace: 'workspace',
  fromUser: 'user',
  commandLine: 'Command',

  // auth provider
  accountFallback: (serverName: string) => t('{0} account', serverName),
  noServerScope: 'Sign-in needs a server:<id> scope naming an MCP server.',
  unknownServer: (id: string) => t('No MCP server with id "{0}".', id),
  httpOnly: 'Only HTTP servers use sign-in; stdio servers use a shared secret.',

  // credentials bound to what they were issued for (sec-creds)
  secretEnvLine: (envVar: string) => t("{0}=(the server's shared secret, set at launch)", envVar),

  // audit integrity and off-machine export (sec-audit)
  auditIntegrity: (message: string) =>
    t('Audit log integrity check failed: {0}. Run "Verify Audit Log Integrity" for details.', message),
  auditWitnessStarted:
    'The audit log is now protected against removed records; records written before now cannot be checked for removal.',
  exportHeadersPrompt:
    'Headers sent to the audit collector, as name=value pairs separated by commas (e.g. Authorization=Bearer%20…). Kept in secret storage. Leave empty to remove the stored headers.',
  exportHeadersPlaceholder: 'Authorization=Bearer%20<token>',
  exportHeadersSaved: 'Audit export headers saved in secret storage.',
  exportHeadersRemoved: 'Audit export headers removed.',

  // --- sec-ui (issue 7, items 1-2): confirmations for commands reachable from links ---
  commandNotApplicable: (name: string) => t('This command does not apply to {0}.', name),
  removeInvalidConfirm: (label: string, origin: string) =>
    t('Remove the invalid server entry "{0}" from the {1} settings?', label, origin),
  importAction: 'Import',
  callToolConfirm: (tool: string, server: string) =>
    t('Call the tool "{0}" on {1} with these arguments?', tool, server),
  callToolDetail: (args: Inert) =>
    t(
      '{0}\n\nThe call was requested by a link, a keybinding or another extension, not from the tool picker.',
      String(args),
    ),
  callToolAction: 'Call Tool',

  // gateway (VS Code's chat and agent through MCP Secure) — issue 8
  gatewayNeedsSignIn: (server: string) =>
    t('Sign in to {0} from the Accounts menu (MCP Secure Connections), then try again.', server),
  gatewayNeedsStepUp: (server: string, why: string) =>
    t(
      '{0} needs more access than is granted ({1}). Allow it when MCP Secure asks, or sign in to {0} again from the Accounts menu with the wider scope.',
      server,
      why,
    ),
  gatewayServerFailed: (server: string, why: string) => t('{0} is not available through MCP Secure: {1}', server, why),
  chatLabel: 'Chat',
  chatOffered: (calls: number) =>
    calls === 1
      ? t('offered through MCP Secure · 1 chat call')
      : t('offered through MCP Secure · {0} chat calls', calls),
  chatNotOffered: 'not offered (exposeToChat or mcpSecure.gateway.enabled is off)',
  chatTooltip:
    "VS Code's chat and agent reach this server only through MCP Secure, with its sign-in, policy and audit.",
  toolHeldBack: (tool: string) =>
    t(
      'The definition of the tool "{0}" changed since it was approved for chat (or carries hidden characters), so MCP Secure holds it back. Review it with "MCP Secure: Review Changed Tool Definitions".',
      tool,
    ),
  toolHeldBackAudit: 'Tool definition changed or carries hidden characters: held back from chat until reviewed.',
  toolsHeldBackNotice: (server: string, count: number) =>
    t(
      '{0} tool definition(s) of {1} changed or carry hidden characters; they are held back from chat until you review them.',
      count,
      server,
    ),
  reviewTools: 'Review',
  noToolsHeldBack: 'No tool definitions are held back from chat.',
  pickHeldBackTool: 'Tool definitions held back from chat',
  heldBackChanged: 'definition changed since it was approved',
  heldBackHidden: (chars: string) => t('hidden characters: {0}', chars),
  heldBackNew: 'new tool',
  pinDiffTitle: (server: string, tool: string) => t('{0}: {1} (approved ↔ offered now)', server, tool),
  acceptToolTitle: (server: string, tool: string) =>
    t('Let chat use the new definition of "{0}" from {1}?', tool, server),
  acceptToolDetail: (hidden: string) =>
    [
      t(
        'Compare both versions in the diff editor first: a server can hide instructions for the agent in a description or schema.',
      ),
      ...(hidden ? [t('It contains hidden characters: {0}.', hidden)] : []),
    ].join('\n\n'),
  acceptTool: 'Accept for Chat',
  chatHeldBack: (n: number) => t('{0} held back', n),
  chatHidden: (n: number) => t('{0} with hidden characters', n),
  chatConflicts: (names: string) => t('name conflict: {0}', names),
  gatewayNotOffered:
    "This server is not offered to chat (MCP Secure: mcpSecure.gateway.enabled or the server's exposeToChat is off).",

  // native feel (issue 12): security report, status bar, live settings
  checkingSecurity: (server: string) => t('Checking the security of {0}…', server),
  statusLabel: 'MCP',
  statusTitle: 'MCP Secure Connections',
  statusNoServers: 'No MCP servers yet.',
  statusConnected: (connected: number, total: number) => t('{0} of {1} server(s) connected', connected, total),
  statusState: (kind: 'stopped' | 'starting' | 'running' | 'error') =>
    (
      ({
        stopped: t('not connected'),
        starting: t('connecting…'),
        running: t('connected'),
        error: t('connection failed'),
      }) as Record<string, string>
    )[kind] ?? kind,
  statusExpired: (server: string) => t('⚠ The sign-in to {0} expired: sign in again.', server),
  statusAuditUnavailable: '⚠ The audit log could not be opened: tool calls are not being recorded.',
  statusAuditFailing: (pending: number) =>
    t('⚠ The audit log cannot be written ({0} record(s) waiting in memory).', pending),
  statusClick: 'Click to open the Servers view.',
  // --- audit log in the editor area (issue 12, item 1) ---
  auditEditorTitle: 'Audit Log',

  // real-world readiness (issue 11)
  registrationForgotten: (server: string, issuers: string) =>
    t(
      'Signed out of {0} and forgot its client registration at {1}. The next sign-in registers a new client.',
      server,
      issuers,
    ),
  signedOutReport: (server: string, report: string) => t('{0}: {1}', server, report),
  toolReturnedLink: (name: string, uri: string) => t('The tool returned a link: {0} ({1})', name, uri),
  openLink: 'Open Link',
  noRegistrationStored: (server: string) =>
    t('Signed out of {0}; it has no stored client registration to forget.', server),
  // Tool-call progress (issue 11, protocol gaps): the server's message and how far along it is.
  toolProgress: (message: string, percent: number | undefined) =>
    percent === undefined ? message : message ? t('{0} ({1}%)', message, percent) : t('{0}%', percent),
  // --- localisation (issue 12, item 5): texts that were written in place before ---
  taskAddServer: 'Add server',
  taskImportServers: 'Import servers',
  taskRemoveServer: 'Remove server',
  taskConnect: 'Connect',
  taskDisconnect: 'Disconnect',
  taskSignIn: 'Sign in',
  taskSignOut: 'Sign out',
  taskListTools: 'List tools',
  taskCallTool: 'Call tool',
  taskRotateSecret: 'Rotate shared secret',
  taskShowLog: 'Show log',
  taskRefresh: 'Refresh',
  taskOpenSettings: 'Open settings',
  taskForgetRegistration: 'Forget client registration',
  auditClearConfirm:
    'Delete every audit record? The hash chain continues from an anchor, but the records themselves cannot be recovered.',
  auditClearButton: 'Clear Audit Log',
  auditExportPick: 'Export the audit log as',
  auditCommandFailed: (why: string) => t('Audit log: {0}', why),
  auditWriteFailedStatus: (why: string, waiting: number) =>
    t('Audit log write failed: {0} ({1} record(s) waiting)', why, waiting),
  auditIntegrityStatus: (why: string) => t('Audit log integrity: {0}', why),
  browserNotOpened: 'The browser could not be opened for sign-in.',
  noToolNamed: (name: string) => t('No tool named "{0}".', name),
  mcpJsonInvalid: '.vscode/mcp.json is not valid JSON.',
  requestCancelled: 'The request was cancelled.',
  scopeNotApproved: (tool: string, missing: string) =>
    t('The tool "{0}" needs {1}, which is not granted; the wider access was not approved.', tool, missing),
  secretReadFailed: (key: string) => t('Reading secret storage failed ({0}).', key),
  secretWriteFailed: (key: string) => t('Writing secret storage failed ({0}).', key),
  secretDeleteFailed: (key: string) => t('Deleting from secret storage failed ({0}).', key),
  invalidEntryTooltip: (message: string, origin: string, index: number) =>
    t('{0}\n({1} settings, entry #{2})', message, origin, index + 1),
  subjectTooltip: (subject: string, issuer: string) => t('sub: {0}\niss: {1}', subject, issuer),
  taskCheckSecurity: 'Check server security',
  unknownError: 'unknown error',
  requestFailed: 'request failed',
  auditExportNotStarted: 'the audit export could not be started',
  auditExported: (written: number) => t('Exported {0} audit record(s).', written),
  jsonLinesFilter: 'JSON Lines',
  auditIntact: (records: string, segments: number) =>
    t('Audit log intact: {0} record(s) in {1} segment(s) verified.', records, segments),
  auditIntactWitnessed: (records: string, segments: number, head: string) =>
    t(
      'Audit log intact: {0} record(s) in {1} segment(s) verified, up to the witnessed head (record {2}).',
      records,
      segments,
      head,
    ),
  auditBrokenAt: (record: string, segment: string, line: number) =>
    t('record {0} ({1}, line {2})', record, segment, line),
  auditBrokenAtRecord: (record: string) => t('record {0}', record),
  auditCheckFailed: (where: string, reason: string) => t('Audit log check failed at {0}: {1}.', where, reason),
  auditCheckFailedMany: (where: string, reason: string, problems: number) =>
    t('Audit log check failed at {0}: {1}. {2} problem(s) in total.', where, reason, problems),
  // --- import from other MCP clients (issue 12, item 7) ---
  importStoredSecretEnvLine: (name: string) => t('{0}=(a stored secret, set at launch)', name),
  importPickTitle: 'Import MCP Servers',
  importPickPlaceholder: 'Where are the servers to import?',
  importSourceCount: (count: number) => t('{0} server(s)', count),
  importSourceUnreadable: (why: string) => t('cannot be read: {0}', why),
  importSourcePath: (file: string) => t('{0}', file),
  importNoSources:
    'No MCP configuration of VS Code, Claude Desktop, Cursor or Claude Code was found (user-level files, and workspace files in a trusted folder).',
  importUntrustedWorkspace:
    'Workspace files are not imported in Restricted Mode: their servers could launch programs. Trust the folder first.',
  importSourceMissing: (source: string) => t('No {0} configuration file was found.', source),
  importSourceEmpty: (source: string) => t('{0} defines no MCP servers.', source),
  importPreviewMessage: (count: number, source: string, target: string) =>
    t('Add {0} server(s) from {1} to the {2} settings?', count, source, target),
  importPreviewNothing: (source: string) => t('Nothing to import from {0}.', source),
  importAddLine: (name: string, id: string, target: string) => t('+ {0} (as "{1}"): {2}', name, id, target),
  importSkipLine: (name: string, why: string) => t('- {0}: skipped, {1}', name, why),
  importSecretsNote: (count: number) =>
    t(
      "{0} credential(s) found in env or headers go to the editor's secret storage; the settings only name them.",
      count,
    ),
  importLaunchNote: 'Local programs among them are shown in full and confirmed before their first start.',
  importSkippedHeading: 'Skipped:',
  importAddedHeading: 'Will be added:',
  importDone: (count: number, source: string) => t('Imported {0} server(s) from {1}.', count, source),
  importRetireMessage: (count: number, file: string) =>
    t('Remove the {0} imported server(s) from {1}, so that chat does not see their tools twice?', count, file),
  importRetireDetail: (backup: string) =>
    t('The file is copied to {0} first. Comments in the file are not kept (the copy has them).', backup),
  importRetireAction: 'Remove from Original',
  importRetired: (count: number, backup: string) =>
    t('Removed {0} server(s) from the original file; backup: {1}.', count, backup),
  importRetireOtherApp: (source: string, names: readonly string[]) =>
    t(
      "{0} still defines {1}. Remove them there if its agent and VS Code's chat should not both see their tools. MCP Secure does not edit other apps' settings.",
      source,
      names.join(', '),
    ),
  importSourceLabel: (id: string) =>
    (Object.hasOwn(IMPORT_SOURCE_LABELS, id) ? IMPORT_SOURCE_LABELS[id]?.() : id) ?? id,
  importSkipReason: (reason: string) =>
    (Object.hasOwn(IMPORT_SKIP_REASONS, reason) ? IMPORT_SKIP_REASONS[reason]?.() : reason) ?? reason,
  importSkipWhy: (reason: string, detail: string) => t('{0} ({1})', reason, detail),

  // --- task-augmented tools (issue 11, MCP 2025-11-25 tasks) ---
  runningToolTask: (tool: string, server: string) => t('Running {0} on {1} as a task…', tool, server),
  toolTaskStatus: (status: string, message: string) => {
    const state = status === 'input_required' ? t('waiting for input') : status;
    return message ? t('task {0}: {1}', state, message) : t('task {0}', state);
  },
} as const;

/** Names of the import sources (`ImportSourceId` in src/core/import/importSources.ts). */
const IMPORT_SOURCE_LABELS: Readonly<Record<string, () => string>> = {
  vscodeWorkspace: () => t("VS Code (this workspace's .vscode/mcp.json)"),
  vscodeUser: () => t('VS Code (user mcp.json)'),
  claudeDesktop: () => t('Claude Desktop'),
  cursorUser: () => t('Cursor (user mcp.json)'),
  cursorWorkspace: () => t("Cursor (this workspace's .cursor/mcp.json)"),
  claudeCodeWorkspace: () => t("Claude Code / Copilot (this workspace's .mcp.json)"),
  claudeCodeUser: () => t('Claude Code (~/.claude.json)'),
};

/** Short names of `ImportSkipReason` (src/core/import/importPlan.ts). */
const IMPORT_SKIP_REASONS: Readonly<Record<string, () => string>> = {
  duplicate_id: () => t('duplicate id'),
  unsupported_transport: () => t('unsupported transport'),
  invalid_url: () => t('invalid URL'),
  invalid_definition: () => t('invalid definition'),
  already_present: () => t('already present'),
  uses_variables: () => t('uses variables'),
  secret_in_args: () => t('credential in arguments'),
};

/** Per-function bound for each interpolated argument; the stdio launch confirmation shows the full command. */
const ARGUMENT_LIMITS: Partial<Record<keyof typeof TEXT, number>> = {
  confirmStdioDetail: 8000,
  stateError: 300,
  operationFailed: 600,
  signedOutNotRevoked: 600,
  signedOutReport: 1500,
  toolProgress: 200,
  auditCommandFailed: 600,
  auditWriteFailedStatus: 600,
  auditIntegrityStatus: 600,
  invalidEntryTooltip: 600,
  auditCheckFailed: 1500,
  auditCheckFailedMany: 1500,
};

export const Strings = withSafeArguments(TEXT, ARGUMENT_LIMITS);

type StringTable = Record<string, string | ((...args: never[]) => string)>;

/**
 * The same table, with every function wrapped so that each string argument (and each string in an
 * array argument) is passed through `safeText` before it is interpolated, and every constant read
 * through the translator. Numbers and booleans pass unchanged; constant strings are ours and stay
 * plain text.
 */
export function withSafeArguments<T extends StringTable>(table: T, limits: Partial<Record<keyof T, number>> = {}): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table)) {
    if (typeof entry !== 'function') {
      // A getter, not a value: the message is translated when it is shown, not when this module loads.
      Object.defineProperty(wrapped, key, { enumerable: true, get: () => translateConstant(entry) });
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
