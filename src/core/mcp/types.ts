import type { McpSecureError } from '../errors';
import type { ToolCaller } from '../toolCallObserver';

/**
 * Public value types of the MCP connection layer (what the extension, the CLI and the audit trail see).
 * Shapes follow MCP 2025-11-25 §Server Features / Tools.
 */

/** A tool as listed by `tools/list`, with the fields the UI needs. */
export interface ToolInfo {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  /** JSON Schema of the arguments, preserved exactly as the server sent it (no `$ref` dereferencing). */
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
  /** `_meta` as sent by the server. */
  readonly meta?: Record<string, unknown>;
  /** `execution.taskSupport` (MCP 2025-11-25 §Utilities/Tasks), when the tool may or must run as a task. */
  readonly taskSupport?: 'optional' | 'required';
}

/** The result of `tools/call`. `isError: true` is a tool-level error (MCP §Tools/Error Handling), not a protocol error. */
export interface ToolCallResult {
  readonly content: readonly Record<string, unknown>[];
  readonly structuredContent?: Record<string, unknown>;
  readonly isError: boolean;
  /** Size in bytes of the JSON-serialised result (UTF-8). */
  readonly resultSize: number;
  /** The raw result object (for `--json` output). */
  readonly raw: Record<string, unknown>;
}

export interface CallToolOptions {
  readonly caller: ToolCaller;
  readonly signal?: AbortSignal;
  /** Per-call timeout; defaults to the manager's `requestTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Progress notifications of this call (MCP 2025-11-25 §Utilities/Progress); asks the server for them. */
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  /** The chat conversation the call belongs to (gateway calls), recorded in the audit record. */
  readonly conversationId?: string;
  /**
   * A local policy check on the listed tool before anything is sent (gateway allow/deny lists, a scope
   * known not to be granted): a returned error refuses the call, which is reported as `denied` (`local`).
   */
  readonly precheck?: (tool: ToolInfo) => McpSecureError | undefined | Promise<McpSecureError | undefined>;
  /**
   * Tasks (MCP 2025-11-25 §Utilities/Tasks): a tool with `taskSupport: "required"` always runs as a
   * task; one with `"optional"` only when this is set. Without `timeoutMs`, a task runs until it ends
   * or `signal` cancels it (then `tasks/cancel` is sent); each request has the usual deadline.
   */
  readonly preferTask?: boolean;
  /** Status changes of the task, when the call runs as one (status message sanitised). */
  readonly onTaskStatus?: (status: { taskId: string; status: string; statusMessage?: string }) => void;
}

/** A skill advertised through `skills/list` (SEP-2640). */
export interface SkillInfo {
  readonly name: string;
  readonly description?: string;
  readonly uri?: string;
  readonly digest?: string;
  readonly size?: number;
  readonly [key: string]: unknown;
}

/**
 * Form-mode elicitation (MCP 2025-11-25 §Client Features / Elicitation). The handler gets the message
 * and the requested schema with SEP-1034 defaults already applied to `defaults`, and answers.
 */
export interface ElicitationRequest {
  readonly serverId: string;
  readonly message: string;
  readonly requestedSchema: Record<string, unknown>;
  /** Values from the schema's `default`s (SEP-1034), to prefill the form. */
  readonly defaults: Record<string, unknown>;
}
export type ElicitationAnswer =
  | { readonly action: 'accept'; readonly content: Record<string, unknown> }
  | { readonly action: 'decline' }
  | { readonly action: 'cancel' };
export type ElicitationHandler = (request: ElicitationRequest, signal: AbortSignal) => Promise<ElicitationAnswer>;
