/**
 * The MCP protocol revisions and the client identity this project speaks, in one place (the connection
 * manager, the HTTP connector, the CLI, the security check and the gateway all read them from here).
 */

/** The newest stateful revision (MCP 2025-11-25: `initialize` handshake; also the stdio and HTTP+SSE wire). */
export const STATEFUL_PROTOCOL_VERSION = '2025-11-25';

/** The stateless revision (MCP 2026-07-28: no `initialize`), spoken by the v2 client SDK. */
export const STATELESS_PROTOCOL_VERSION = '2026-07-28';

/** Which MCP wire to speak. `auto` lets the SDK negotiate (2026-07-28 probe, falling back to 2025-11-25 `initialize`). */
export type ProtocolChoice = 'auto' | typeof STATEFUL_PROTOCOL_VERSION | typeof STATELESS_PROTOCOL_VERSION;
export const PROTOCOL_CHOICES: readonly ProtocolChoice[] = [
  'auto',
  STATEFUL_PROTOCOL_VERSION,
  STATELESS_PROTOCOL_VERSION,
];

/** True for one of `PROTOCOL_CHOICES` (CLI flags, environment variables, settings). */
export function isProtocolChoice(value: unknown): value is ProtocolChoice {
  return typeof value === 'string' && (PROTOCOL_CHOICES as readonly string[]).includes(value);
}

/**
 * Stateful revisions the gateway accepts from VS Code's own MCP client, newest first (MCP 2025-11-25
 * §Lifecycle/Version Negotiation: the server answers with the client's version when it supports it).
 */
export const DOWNSTREAM_PROTOCOL_VERSIONS: readonly string[] = [
  STATEFUL_PROTOCOL_VERSION,
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
];

/** This project's version (package.json `version`; a unit test keeps the two equal). */
export const PRODUCT_VERSION = '0.1.0';

/** `clientInfo` (MCP 2025-11-25 §Lifecycle/Initialization: `Implementation`) a client of this project sends. */
export interface ClientInfo {
  readonly name: string;
  readonly version: string;
}

/** The extension's `clientInfo` when the host names none. */
export const EXTENSION_CLIENT_INFO: ClientInfo = { name: 'mcp-secure-connections', version: PRODUCT_VERSION };
/** The headless CLI's `clientInfo`. */
export const CLI_CLIENT_INFO: ClientInfo = { name: 'mcp-secure-cli', version: PRODUCT_VERSION };
/** The unauthenticated `initialize` probe of **Check Server Security…** / `mcp-secure check`. */
export const SECURITY_CHECK_CLIENT_INFO: ClientInfo = { name: 'mcp-secure-check', version: PRODUCT_VERSION };
