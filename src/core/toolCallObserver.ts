/**
 * The observer seam every `tools/call` passes through (the audit trail hangs off it).
 * The MCP connection reports each call exactly once at its end, success or not, including calls
 * refused locally, 401/403, timeouts and server errors. Observers must not throw into the call path:
 * the connection catches and logs observer failures.
 */

/** Who inside the editor asked for the call. */
export type ToolCaller = 'palette' | 'panel' | 'gateway' | 'chat' | 'cli' | 'test';

export interface HumanIdentity {
  /** Token issuer (`iss`) */
  readonly issuer?: string;
  /** Subject (`sub`) */
  readonly subject?: string;
  /** Display name (preferred_username / email / sub) */
  readonly displayName?: string;
}

export type AgentIdentity =
  | { readonly kind: 'oauth-client'; readonly clientId: string }
  | { readonly kind: 'shared-secret'; readonly fingerprint: string }
  | { readonly kind: 'none' };

export interface ToolCallContext {
  /** Unique id of this call (CSPRNG). */
  readonly callId: string;
  readonly server: {
    readonly id: string;
    readonly name: string;
    readonly transport: 'http' | 'stdio';
    /** HTTP URL, or the stdio command line (command + args, never the environment). */
    readonly target: string;
    /** Canonical resource URI the token is bound to (HTTP with OAuth). */
    readonly resource?: string;
    readonly issuer?: string;
  };
  readonly tool: string;
  /** Raw arguments: observers that persist or show them MUST redact first. */
  readonly arguments: unknown;
  readonly caller: ToolCaller;
  readonly human?: HumanIdentity;
  readonly agent: AgentIdentity;
  /** Scopes the access token carried when the call started (granted, not requested). */
  readonly grantedScopes: readonly string[];
  /** Epoch ms. */
  readonly startedAt: number;
  /** VS Code's chat conversation (`_meta["vscode.conversationId"]` of a gateway call), when present. */
  readonly conversationId?: string;
}

/**
 * A task-augmented call (MCP 2025-11-25 §Utilities/Tasks) is one call with one outcome: the task's id
 * and its final status (completed / failed / cancelled) ride along, however many polls it took.
 */
export interface ToolCallTaskInfo {
  readonly taskId: string;
  readonly status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
}

export type ToolCallOutcome = (
  | { readonly kind: 'success'; readonly resultSize: number }
  | { readonly kind: 'tool_error'; readonly message: string; readonly resultSize: number }
  | {
      readonly kind: 'denied';
      readonly status: 401 | 403 | 'local';
      readonly message: string;
      readonly missingScope?: string;
    }
  | { readonly kind: 'transport_error'; readonly code: string; readonly message: string }
) & { readonly task?: ToolCallTaskInfo };

export interface ToolCallObserver {
  onToolCallStart?(context: ToolCallContext): void;
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome, durationMs: number): void | Promise<void>;
}
