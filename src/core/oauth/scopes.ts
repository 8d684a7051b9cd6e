/**
 * Scope selection (MCP 2025-11-25 §Scope Selection Strategy) and a normalised Scopes value object.
 */

/** Sorted, de-duplicated set of OAuth scope tokens (RFC 6749 §3.3). Only this form is used after parsing. */
export class Scopes {
  private constructor(readonly values: readonly string[]) {}

  static of(input: Iterable<string> | string | undefined): Scopes {
    const tokens = typeof input === 'string' ? input.split(/\s+/) : input ? [...input] : [];
    return new Scopes([...new Set(tokens.map((s) => s.trim()).filter(Boolean))].sort());
  }
  static readonly empty = Scopes.of(undefined);

  get isEmpty(): boolean {
    return this.values.length === 0;
  }
  has(scope: string): boolean {
    return this.values.includes(scope);
  }
  union(other: Scopes): Scopes {
    return Scopes.of([...this.values, ...other.values]);
  }
  with(scope: string): Scopes {
    return Scopes.of([...this.values, scope]);
  }
  without(scope: string): Scopes {
    return Scopes.of(this.values.filter((s) => s !== scope));
  }
  /** True when every scope of `other` is in this set. */
  covers(other: Scopes): boolean {
    return other.values.every((s) => this.has(s));
  }
  equals(other: Scopes): boolean {
    return this.toString() === other.toString();
  }
  /** The space-separated wire form (RFC 6749 §3.3). */
  toString(): string {
    return this.values.join(' ');
  }
  /** For display: `(none)` when empty. */
  display(): string {
    return this.isEmpty ? '(none)' : this.values.join(', ');
  }
  toArray(): string[] {
    return [...this.values];
  }
}

export interface ScopeSelectionInput {
  /** `scope` from the 401/403 `WWW-Authenticate` challenge. */
  challengeScope?: string;
  /** PRM `scopes_supported`. */
  prmScopesSupported?: string[];
  /** Explicit per-server override from the user. */
  configured?: string[];
  /** AS metadata `scopes_supported` — consulted ONLY to decide about `offline_access`. */
  asScopesSupported?: string[];
  /** Ask for `offline_access` when the AS advertises it. Default true. */
  offlineAccess?: boolean;
}

/**
 * MCP §Scope Selection Strategy: "Use scope parameter from the initial WWW-Authenticate header … If
 * scope is not available, use all scopes defined in scopes_supported from the Protected Resource
 * Metadata document, omitting the scope parameter if scopes_supported is undefined." The AS's own
 * `scopes_supported` is never used as a default; `offline_access` is added only when the AS lists it.
 * An empty result means: omit the `scope` parameter.
 */
export function selectScopes(input: ScopeSelectionInput): Scopes {
  let scopes = input.configured?.length
    ? Scopes.of(input.configured)
    : input.challengeScope
      ? Scopes.of(input.challengeScope)
      : Scopes.of(input.prmScopesSupported);
  if (scopes.isEmpty) return scopes;
  const asAdvertises = input.asScopesSupported?.includes('offline_access') ?? false;
  if (input.offlineAccess !== false && asAdvertises) scopes = scopes.with('offline_access');
  if (!asAdvertises) scopes = scopes.without('offline_access');
  return scopes;
}
