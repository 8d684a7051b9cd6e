import { ProtocolError } from '@modelcontextprotocol/client';
import { McpSecureError, type McpSecureErrorCode } from '../errors';
import { toMcpSecureError } from '../mcp/errorMapping';
import { RpcCodes, type RpcError } from './jsonRpcChannel';

/** Failures the user fixes by acting in the extension (sign in, consent, confirm a launch). */
export const ACTION_REQUIRED_CODES: ReadonlySet<McpSecureErrorCode> = new Set<McpSecureErrorCode>([
  'not_signed_in',
  'unauthorized',
  'forbidden',
  'insufficient_scope',
  'step_up_refused',
  'step_up_limit',
  'authorization_denied',
  'authorization_timeout',
  'authorization_cancelled',
  'refresh_failed_permanent',
  'registration_failed',
  'pkce_unsupported',
  'iss_mismatch',
  'state_mismatch',
  'issuer_mismatch',
  'token_request_failed',
]);

const UNAVAILABLE_CODES: ReadonlySet<McpSecureErrorCode> = new Set<McpSecureErrorCode>([
  'connection_failed',
  'server_exited',
  'request_timeout',
  'handshake_rejected',
  'refresh_failed_transient',
  'discovery_failed',
]);

/**
 * Map a failure to the JSON-RPC error VS Code's MCP client receives. VS Code must never see an HTTP
 * 401/403 (it would start its own OAuth discovery against the gateway): auth failures become
 * {@link RpcCodes.actionRequired} with a message naming the fix, which `explain` writes. An upstream
 * JSON-RPC error keeps its code; its message is the sanitised server text.
 */
export function toRpcError(err: unknown, explain: (error: McpSecureError) => string): RpcError {
  if (err instanceof RpcFailure) return { code: err.rpcCode, message: err.message };
  const e = err instanceof McpSecureError ? err : toMcpSecureError(err);
  if (e.code === 'protocol_error' && e.cause instanceof ProtocolError)
    return { code: e.cause.code, message: e.message };
  if (e.code === 'tool_not_found' || e.code === 'invalid_tool')
    return { code: RpcCodes.invalidParams, message: e.message };
  // A request VS Code cancelled gets no answer at all; a `cancelled` that is answered was the user's
  // refusal in the extension (a launch confirmation, a sign-in): something to act on.
  if (e.code === 'policy_denied') return { code: RpcCodes.policyDenied, message: e.message };
  if (ACTION_REQUIRED_CODES.has(e.code)) return { code: RpcCodes.actionRequired, message: explain(e) };
  if (UNAVAILABLE_CODES.has(e.code)) return { code: RpcCodes.upstreamUnavailable, message: explain(e) };
  return { code: RpcCodes.internalError, message: explain(e) };
}

/** A JSON-RPC error decided by the gateway itself (unknown method, bad params). */
export class RpcFailure extends McpSecureError {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super('invalid_tool', message);
  }
}
