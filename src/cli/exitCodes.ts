import type { McpSecureErrorCode } from '../core/errors';

/**
 * Exit codes of the `mcp-secure` CLI. Scripts branch on these, so they are part of the interface:
 * never renumber them. Documented in `--help` (see ./help.ts).
 */
export const ExitCode = {
  ok: 0,
  /** Bad command line: unknown command/option, missing argument, malformed `--args` JSON. */
  usage: 1,
  /** Authorization refused or unsafe input refused (bad metadata, issuer/state/iss mismatch, insecure URL, store key). */
  refused: 2,
  /** Could not connect, or the server broke the protocol (timeouts, exits, malformed answers). */
  connection: 3,
  /** The tool ran and reported an error (`isError: true`), the server refused the call (JSON-RPC error), or the tool does not exist. */
  toolError: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const refusedCodes: ReadonlySet<McpSecureErrorCode> = new Set<McpSecureErrorCode>([
  'insecure_url',
  'invalid_url',
  'invalid_metadata',
  'issuer_mismatch',
  'resource_mismatch',
  'metadata_too_large',
  'response_too_large',
  'discovery_failed',
  'pkce_unsupported',
  'registration_failed',
  'state_mismatch',
  'iss_mismatch',
  'authorization_denied',
  'authorization_timeout',
  'authorization_cancelled',
  'token_request_failed',
  'refresh_failed_transient',
  'refresh_failed_permanent',
  'insufficient_scope',
  'step_up_refused',
  'step_up_limit',
  'not_signed_in',
  'revocation_failed',
  'dpop_failed',
  'unauthorized',
  'forbidden',
  'invalid_server_definition',
  'secret_store_failed',
  'skill_verification_failed',
]);
const toolCodes: ReadonlySet<McpSecureErrorCode> = new Set<McpSecureErrorCode>([
  'tool_not_found',
  'invalid_tool',
  'tool_call_rejected',
  'task_unsupported',
]);

/** The exit code for a typed core error. Unknown codes (added later by other areas) count as connection errors. */
export function exitCodeFor(code: string): ExitCode {
  if (refusedCodes.has(code as McpSecureErrorCode)) return ExitCode.refused;
  if (toolCodes.has(code as McpSecureErrorCode)) return ExitCode.toolError;
  return ExitCode.connection;
}
