/**
 * One error type for the whole core, with a stable machine-readable `code` (never compare messages)
 * and an optional `cause`. Messages must never contain secrets: build them from public facts only.
 */
export type McpSecureErrorCode =
  // URL and metadata validation
  | 'insecure_url'
  | 'invalid_url'
  | 'invalid_metadata'
  | 'issuer_mismatch'
  | 'resource_mismatch'
  | 'metadata_too_large'
  /** A token, refresh, revocation, registration or token-exchange response over the size bound. */
  | 'response_too_large'
  | 'discovery_failed'
  // authorization flow
  | 'pkce_unsupported'
  | 'registration_failed'
  | 'state_mismatch'
  | 'iss_mismatch'
  | 'authorization_denied'
  | 'authorization_timeout'
  | 'authorization_cancelled'
  | 'token_request_failed'
  | 'refresh_failed_transient'
  | 'refresh_failed_permanent'
  | 'insufficient_scope'
  | 'step_up_refused'
  | 'step_up_limit'
  | 'not_signed_in'
  | 'revocation_failed'
  | 'dpop_failed'
  | 'client_issuer_mismatch'
  // MCP connection
  | 'invalid_server_definition'
  /** An MCP configuration file of another client (to import from) that cannot be read as one. */
  | 'invalid_import_file'
  | 'connection_failed'
  | 'handshake_rejected'
  /** The server and the chosen protocol revision (2025-11-25 / 2026-07-28) have no wire in common. */
  | 'protocol_mismatch'
  | 'server_exited'
  | 'request_timeout'
  | 'protocol_error'
  | 'unauthorized'
  | 'forbidden'
  | 'tool_not_found'
  | 'invalid_tool'
  /** The server answered `tools/call` with a JSON-RPC error instead of a result. */
  | 'tool_call_rejected'
  | 'skill_verification_failed'
  /** A tool that must run as a task (MCP 2025-11-25 §Utilities/Tasks) on a server or wire without tool tasks. */
  | 'task_unsupported'
  // gateway (VS Code's own MCP client through the extension)
  | 'policy_denied'
  // storage and audit
  | 'secret_store_failed'
  | 'audit_write_failed'
  | 'audit_corrupt'
  | 'audit_chain_broken'
  | 'invalid_header'
  | 'cancelled'
  | 'internal';

export class McpSecureError extends Error {
  override readonly name = 'McpSecureError';
  constructor(
    readonly code: McpSecureErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isMcpSecureError(value: unknown, code?: McpSecureErrorCode): value is McpSecureError {
  return value instanceof McpSecureError && (code === undefined || value.code === code);
}
