import type { McpSecureErrorCode } from '../errors';

/**
 * The lifecycle of one server connection, as a tagged union (the shape VS Code core MCP uses:
 * `Stopped | Starting | Running | Error`). Switch on `kind` exhaustively with `assertNever`.
 */
export type ConnectionState =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'starting' }
  | {
      readonly kind: 'running';
      /** Negotiated protocol revision, e.g. `2025-11-25` or `2026-07-28`. */
      readonly protocolVersion: string;
      /** `streamable-http`, `sse` (legacy 2024-11-05 HTTP+SSE) or `stdio`. */
      readonly wire: 'streamable-http' | 'sse' | 'stdio';
      readonly serverInfo?: { readonly name: string; readonly version: string };
    }
  | { readonly kind: 'error'; readonly code: McpSecureErrorCode; readonly message: string };

export type ConnectionStateKind = ConnectionState['kind'];

export const STOPPED: ConnectionState = Object.freeze({ kind: 'stopped' });
export const STARTING: ConnectionState = Object.freeze({ kind: 'starting' });

/** Compile-time exhaustiveness guard for `switch (state.kind)`. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}

/** A short human-readable label for a state (tree items, CLI output). */
export function describeState(state: ConnectionState): string {
  switch (state.kind) {
    case 'stopped':
      return 'Stopped';
    case 'starting':
      return 'Starting…';
    case 'running':
      return `Running (${state.wire}, ${state.protocolVersion})`;
    case 'error':
      return `Error: ${state.message}`;
    default:
      return assertNever(state);
  }
}

/** Whether a connection in this state can serve requests. */
export function isUsable(state: ConnectionState): boolean {
  switch (state.kind) {
    case 'running':
      return true;
    case 'stopped':
    case 'starting':
    case 'error':
      return false;
    default:
      return assertNever(state);
  }
}
