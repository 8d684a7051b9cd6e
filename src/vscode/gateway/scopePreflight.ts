import { McpSecureError } from '../../core/errors';
import type { CallPreflight } from '../../core/gateway/proxySession';
import type { HttpServerDefinition } from '../../core/mcp/serverDefinition';
import type { GrantView } from '../engineContract';
import type { ServerRegistry } from '../serverRegistry';
import type { StepUpRequest } from '../stepUpConsent';
import type { ToolScopeKnowledge } from '../toolScopes';
import { Strings } from '../strings';

export interface ScopePreflightDeps {
  readonly registry: ServerRegistry;
  readonly scopes: ToolScopeKnowledge;
  readonly grant: (serverId: string) => Promise<GrantView | undefined>;
  /** The step-up consent prompt (modal; tests answer it). */
  readonly consent: (request: StepUpRequest) => Promise<boolean>;
  /** The auth provider's sign-in with the wider scope. */
  readonly signIn: (def: HttpServerDefinition, scopes: readonly string[]) => Promise<unknown>;
}

/**
 * A chat call to a tool whose required scope is known (declared by the server or learned from an
 * earlier `403 insufficient_scope`) and not granted is stopped before it reaches the server: the user
 * is offered the step-up (consent, then sign-in with the union of scopes, MCP authorization 2025-11-25
 * §Scope Challenge Handling); a refusal denies the call locally.
 */
export function scopePreflight(deps: ScopePreflightDeps): CallPreflight {
  return async (serverId, tool) => {
    const def = deps.registry.get(serverId);
    if (def?.transport !== 'http') return undefined;
    const required = deps.scopes.requiredScopes(serverId, tool);
    if (required.length === 0) return undefined;
    const grant = await deps.grant(serverId);
    if (!grant) return undefined; // not signed in: the server's 401 starts the sign-in
    const missing = required.filter((s) => !grant.grantedScopes.includes(s));
    if (missing.length === 0) return undefined;
    const requested = [...new Set([...grant.grantedScopes, ...missing])];
    if (!(await deps.consent({ serverId, granted: [...grant.grantedScopes], requested }))) {
      return new McpSecureError('policy_denied', Strings.scopeNotApproved(tool.name, missing.join(' ')));
    }
    await deps.signIn(def, requested);
    return undefined;
  };
}
