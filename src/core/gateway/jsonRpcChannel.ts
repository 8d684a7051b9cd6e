/**
 * One bridge session's message channel (JSON-RPC 2.0 objects, one per line on the wire). The proxy
 * session only sees this interface; tests drive it with a socket pair or an in-memory double.
 */
export interface JsonRpcChannel {
  /** The server id the bridge named in its hello. */
  readonly serverId: string;
  /** The bridge's process id, as it stated it in its hello. */
  readonly peerPid?: number;
  send(message: Record<string, unknown>): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/** JSON-RPC 2.0 §5.1 error codes, plus MCP's and the gateway's own (server-error range -32000…-32099). */
export const RpcCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The user must act (sign in, consent, confirm a launch) before the call can work. */
  actionRequired: -32001,
  /** Refused by the gateway's policy or a held-back tool definition. */
  policyDenied: -32002,
  /** The upstream server is unreachable, exited or timed out. */
  upstreamUnavailable: -32003,
  /** The request was cancelled (as in LSP). */
  requestCancelled: -32800,
} as const;

export interface RpcError {
  readonly code: number;
  readonly message: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
