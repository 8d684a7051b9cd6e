import type { ToolInfo } from '../core/mcp/types';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../core/toolCallObserver';
import { Emitter } from '../core/common/event';

/**
 * What the extension knows about the scope each tool needs: declared by the server in the tool's
 * metadata (`_meta.requiredScopes`, `securitySchemes[].scopes` as in the OpenAI Apps SDK convention,
 * or annotations), or learned from a `403 insufficient_scope` answer to an earlier call. The tree
 * shows a lock on tools whose required scope is not among the granted ones.
 */
export class ToolScopeKnowledge implements ToolCallObserver {
  private readonly learned = new Map<string, Set<string>>();
  private readonly learnedChanged = new Emitter<void>();
  readonly onDidLearn = this.learnedChanged.event;
  /** Calls in flight, so a step-up request can be attributed to the one call that caused it. */
  private readonly inFlight = new Map<string, ToolCallContext>();
  private readonly stepUps = new Map<string, string[]>();

  onToolCallStart(context: ToolCallContext): void {
    this.inFlight.set(context.callId, context);
  }

  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.inFlight.delete(context.callId);
    const fromStepUp = this.stepUps.get(context.callId) ?? [];
    this.stepUps.delete(context.callId);
    const fromDenial = outcome.kind === 'denied' && outcome.missingScope ? outcome.missingScope.split(/\s+/) : [];
    this.learn(context, [...fromStepUp, ...fromDenial].filter(Boolean));
  }

  /**
   * The engine asked to widen the grant of `serverId` (403 `insufficient_scope`): the scopes beyond the
   * granted ones are what the call in flight needs — attributed only when exactly one call is in flight.
   */
  noteStepUp(serverId: string, granted: readonly string[], requested: readonly string[]): void {
    const calls = [...this.inFlight.values()].filter((c) => c.server.id === serverId);
    const only = calls.length === 1 ? calls[0] : undefined;
    if (only)
      this.stepUps.set(
        only.callId,
        requested.filter((s) => !granted.includes(s)),
      );
  }

  private learn(context: ToolCallContext, scopes: string[]): void {
    if (scopes.length === 0) return;
    const key = `${context.server.id}\u0000${context.tool}`;
    const set = this.learned.get(key) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.learned.set(key, set);
    this.learnedChanged.fire();
  }

  requiredScopes(serverId: string, tool: ToolInfo): string[] {
    const declared = declaredScopes(tool);
    const learned = this.learned.get(`${serverId}\u0000${tool.name}`) ?? new Set<string>();
    return [...new Set([...declared, ...learned])].sort();
  }
}

function declaredScopes(tool: ToolInfo): string[] {
  const out: string[] = [];
  for (const source of [tool.meta, tool.annotations]) {
    if (!source) continue;
    for (const key of ['requiredScopes', 'scopes', 'mcp-secure/requiredScopes', 'requiredScope'])
      out.push(...scopeList(source[key]));
    const schemes = source.securitySchemes;
    if (Array.isArray(schemes)) {
      for (const s of schemes)
        if (s && typeof s === 'object') out.push(...scopeList((s as Record<string, unknown>).scopes));
    }
  }
  return out;
}

function scopeList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
