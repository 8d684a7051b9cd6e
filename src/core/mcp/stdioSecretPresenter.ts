import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
} from '@modelcontextprotocol/client';
import { safeText } from '../common/safeText';
import type { StdioMessageHooks } from './stdioTransport';

/**
 * The `_meta` key that carries a stdio server's shared secret on the 2026-07-28 wire. MCP 2025-11-25
 * §Basic/_meta reserves prefixes whose second label is `modelcontextprotocol` or `mcp`; `io.mcp-secure/`
 * is outside them (its label is `mcp-secure`), so the key is ours to define.
 */
export const SECRET_META_KEY = 'io.mcp-secure/secret';

/** What a {@link SecretPresenter} saw: the server's JSON-RPC error answer to a request that carried the secret. */
export interface PresenterRejection {
  readonly method: string;
  readonly code: number;
  readonly message: string;
}

/**
 * Puts a stdio shared secret into the client's outgoing messages, wherever the wire has room for it:
 *
 * - 2025-11-25 (`initialize` handshake): in `initialize`'s `clientInfo.secret`, as the seed's servers
 *   check; nothing after the handshake carries it (the session is the process).
 * - 2026-07-28 (stateless, no handshake — every request stands alone): in `params._meta` under
 *   {@link SECRET_META_KEY}, on every request and notification the client sends, so the server can
 *   check each one (`notifications/cancelled` included).
 *
 * Which wire is decided by the traffic itself: once an `initialize` has been sent the connection is on
 * the 2025 wire (this also covers `auto`, whose `server/discover` probe carried the secret in `_meta`
 * before the fallback to `initialize`). Responses (answers to a 2025 server's requests) are not touched.
 */
export class SecretPresenter implements StdioMessageHooks {
  private handshakeSent = false;
  private readonly pending = new Map<string | number, string>();
  private rejected?: PresenterRejection;
  private tracking = true;

  /** Without a secret (modes `env` and `none`) nothing is added; the opening answers are still watched. */
  constructor(private readonly secret: string | undefined) {}

  /** The first JSON-RPC error the server answered to a request that carried the secret, if any. */
  get rejection(): PresenterRejection | undefined {
    return this.rejected;
  }

  readonly outbound = (message: JSONRPCMessage): JSONRPCMessage => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') {
      this.handshakeSent = true;
      this.track(message.id, message.method);
      if (this.secret === undefined) return message;
      const params = message.params ?? {};
      const clientInfo = (params.clientInfo ?? {}) as Record<string, unknown>;
      return { ...message, params: { ...params, clientInfo: { ...clientInfo, secret: this.secret } } };
    }
    if (this.handshakeSent || !(isJSONRPCRequest(message) || isJSONRPCNotification(message))) return message;
    if (isJSONRPCRequest(message)) this.track(message.id, message.method);
    if (this.secret === undefined) return message;
    const params = (message.params ?? {}) as Record<string, unknown>;
    const meta = (params._meta ?? {}) as Record<string, unknown>;
    return { ...message, params: { ...params, _meta: { ...meta, [SECRET_META_KEY]: this.secret } } } as JSONRPCMessage;
  };

  readonly inbound = (message: JSONRPCMessage): void => {
    if (!('id' in message) || message.id === undefined || message.id === null) return;
    const method = this.pending.get(message.id);
    if (method === undefined) return;
    this.pending.delete(message.id);
    if (isJSONRPCErrorResponse(message) && !this.rejected) {
      this.rejected = { method, code: message.error.code, message: safeText(message.error.message, 200) };
    }
  };

  /** The connection is up: later errors map through the normal error path, so stop watching answers. */
  connected(): void {
    this.tracking = false;
    this.pending.clear();
  }

  /** Only the opening requests matter for a refusal (the probe or `initialize`, then `tools/list`). */
  private track(id: string | number, method: string): void {
    if (this.tracking && !this.rejected) this.pending.set(id, method);
  }
}
