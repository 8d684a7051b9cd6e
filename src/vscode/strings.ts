/**
 * Every user-visible string of the extension layer, in one place (ready for l10n). Untrusted values
 * (server names, error text) are passed in already converted with `toPlainText`.
 */
export const Strings = {
  // progress and notifications
  signingIn: (server: string) => `Signing in to ${server}…`,
  signedIn: (server: string, account: string) => `Signed in to ${server} as ${account}.`,
  signedOutNotRevoked: (server: string, why: string) => `Signed out of ${server} on this machine, but the server did not confirm revocation: ${why}`,
  connecting: (server: string) => `Connecting to ${server}…`,
  connected: (server: string) => `Connected to ${server}.`,
  disconnected: (server: string) => `Disconnected from ${server}.`,
  callingTool: (tool: string, server: string) => `Calling ${tool} on ${server}…`,
  listingTools: (server: string) => `Listing tools of ${server}…`,
  noTools: (server: string) => `${server} offers no tools.`,
  operationFailed: (what: string, why: string) => `${what} failed: ${why}`,
  cancelled: 'Cancelled.',
  auditWriteFailed: (pending: number) => `Audit records could not be written (${pending} waiting in memory). Check disk space and permissions.`,
  auditUnavailable: 'The audit trail could not be opened; tool calls are not being recorded. See the MCP Secure log.',
  secretStoreFailed: 'Could not save to the editor\'s secret storage. Nothing was changed.',

  // server registry
  invalidServers: (count: number) => `${count} MCP server definition(s) in settings are invalid. See the MCP Secure Servers view.`,
  openSettings: 'Open Settings',
  duplicateId: (id: string) => `Another server already uses the id "${id}".`,
  clientSecretInSettings: 'oauth.clientSecret must not be stored in settings; add the server with the Add Server command so the secret goes to secret storage.',
  untrustedIgnored: (count: number) => `${count} server(s) from workspace settings are ignored until the workspace is trusted.`,
  serverAdded: (name: string) => `Added MCP server ${name}.`,
  serverRemoved: (name: string) => `Removed MCP server ${name}.`,
  removeConfirm: (name: string) => `Remove MCP server "${name}"? Its sign-in grant and shared secret are deleted too.`,
  remove: 'Remove',
  importedServers: (count: number) => `Imported ${count} server(s) from .vscode/mcp.json.`,
  importNothing: 'No importable servers found in .vscode/mcp.json.',
  importNoFile: 'No .vscode/mcp.json in this workspace.',
  importSkipped: (count: number) => `${count} entr(ies) were skipped (unsupported or already present).`,
  noServers: 'No MCP servers are configured. Add one first.',

  // stdio launch confirmation
  confirmStdioLaunch: (name: string) => `The workspace settings define the MCP server "${name}", which starts a local program. Run it?`,
  confirmStdioDetail: (commandLine: string, cwd: string | undefined, env: readonly string[]) =>
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
  rotateConfirm: (name: string) => `Rotate the shared secret of "${name}"? The server is restarted with the new secret.`,
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
  secretEnvLine: (envVar: string) => `${envVar}=<the server's shared secret>`,

  // real-world readiness (issue 11)
  registrationForgotten: (server: string, issuers: string) => `Signed out of ${server} and forgot its client registration at ${issuers}. The next sign-in registers a new client.`,
  signedOutReport: (server: string, report: string) => `${server}: ${report}`,
  toolReturnedLink: (name: string, uri: string) => `The tool returned a link: ${name} (${uri})`,
  openLink: 'Open Link',
  noRegistrationStored: (server: string) => `Signed out of ${server}; it has no stored client registration to forget.`,
} as const;
