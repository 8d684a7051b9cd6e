import { randomUUID } from 'node:crypto';
import { McpSecureError } from '../errors';
import { toMcpSecureError } from '../mcp/errorMapping';
import { describeTarget, type ServerDefinition } from '../mcp/serverDefinition';
import type { Clock, Logger } from '../ports';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome, ToolCaller } from '../toolCallObserver';
import { ACTION_REQUIRED_CODES } from './gatewayErrors';

export interface UnreachableCallDeps {
  readonly definition: ServerDefinition;
  readonly observers: readonly ToolCallObserver[];
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * A chat `tools/call` that failed before any connection existed (sign-in refused or timed out, launch
 * refused, server unreachable) still produces exactly one audit record: denied (sign-in/consent
 * missing) or a transport error. No identity is known at that point.
 */
export async function reportUnreachableCall(
  deps: UnreachableCallDeps,
  call: { tool: string; args: unknown; conversationId: string | undefined; startedAt: number },
  err: unknown,
): Promise<void> {
  const e = err instanceof McpSecureError ? err : toMcpSecureError(err);
  const outcome: ToolCallOutcome = ACTION_REQUIRED_CODES.has(e.code)
    ? {
        kind: 'denied',
        status: e.code === 'forbidden' || e.code === 'insufficient_scope' ? 403 : 401,
        message: e.message,
      }
    : e.code === 'cancelled' || e.code === 'policy_denied'
      ? { kind: 'denied', status: 'local', message: e.message }
      : { kind: 'transport_error', code: e.code, message: e.message };
  await recordGatewayEvent(deps, { ...call, caller: 'chat' }, outcome);
}

/**
 * Hand one gateway event to the observers (audit) as a record without a connection identity: a call
 * that never reached a server, or a tool-definition change held back from chat / accepted by the user.
 */
export async function recordGatewayEvent(
  deps: UnreachableCallDeps,
  call: { tool: string; args: unknown; conversationId?: string | undefined; startedAt: number; caller: ToolCaller },
  outcome: ToolCallOutcome,
): Promise<void> {
  const def = deps.definition;
  const context: ToolCallContext = {
    callId: randomUUID(),
    server: { id: def.id, name: def.name, transport: def.transport, target: describeTarget(def) },
    tool: call.tool,
    arguments: call.args ?? {},
    caller: call.caller,
    agent: { kind: 'none' },
    grantedScopes: [],
    startedAt: call.startedAt,
    ...(call.conversationId !== undefined ? { conversationId: call.conversationId } : {}),
  };
  const duration = Math.max(0, deps.clock.now() - call.startedAt);
  await Promise.all(
    deps.observers.map(async (o) => {
      try {
        await o.onToolCallEnd(context, outcome, duration);
      } catch (failure) {
        deps.logger.error(`tool-call observer failed: ${failure instanceof Error ? failure.name : 'error'}`);
      }
    }),
  );
}
