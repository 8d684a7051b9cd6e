import { isMcpSecureError } from '../core/errors';
import { parseServerDefinition, type ServerDefinition } from '../core/mcp/serverDefinition';
import { Strings } from './strings';

/**
 * Turns the raw `mcpSecure.servers` values of each settings scope into validated entries. Pure (no
 * `vscode` import) so it is unit-testable; invalid entries become diagnostics, never exceptions.
 */
export type SettingsOrigin = 'user' | 'workspace';

export type ServerEntry =
  | { readonly kind: 'valid'; readonly def: ServerDefinition; readonly origin: SettingsOrigin; readonly index: number }
  | {
      readonly kind: 'invalid';
      readonly origin: SettingsOrigin;
      readonly index: number;
      /** The entry's `id`/`name` when it had usable ones, for display. */
      readonly label?: string;
      readonly id?: string;
      readonly message: string;
    };

export interface ScopedValues {
  readonly user?: unknown;
  readonly workspace?: unknown;
}

export function readServerEntries(values: ScopedValues, workspaceTrusted: boolean): ServerEntry[] {
  const entries: ServerEntry[] = [];
  const seen = new Set<string>();
  const scopes: [SettingsOrigin, unknown][] = [['user', values.user]];
  if (workspaceTrusted) scopes.push(['workspace', values.workspace]);
  for (const [origin, value] of scopes) {
    if (!Array.isArray(value)) continue;
    value.forEach((raw: unknown, index) => {
      const entry = parseEntry(raw, origin, index, seen);
      if (entry.kind === 'valid') seen.add(entry.def.id);
      entries.push(entry);
    });
  }
  return entries;
}

/** How many workspace entries are ignored because the workspace is not trusted. */
export function countIgnored(values: ScopedValues, workspaceTrusted: boolean): number {
  return !workspaceTrusted && Array.isArray(values.workspace) ? values.workspace.length : 0;
}

function parseEntry(raw: unknown, origin: SettingsOrigin, index: number, seen: Set<string>): ServerEntry {
  const record = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const id = typeof record.id === 'string' ? record.id : undefined;
  const label = typeof record.name === 'string' ? record.name : id;
  const invalid = (message: string): ServerEntry => ({
    kind: 'invalid',
    origin,
    index,
    message,
    ...(id ? { id } : {}),
    ...(label ? { label } : {}),
  });
  try {
    const def = parseServerDefinition(raw);
    if (def.transport === 'http' && def.oauth?.clientSecret !== undefined)
      return invalid(Strings.clientSecretInSettings);
    if (seen.has(def.id)) return invalid(Strings.duplicateId(def.id));
    return { kind: 'valid', def, origin, index };
  } catch (e) {
    if (isMcpSecureError(e, 'invalid_server_definition')) return invalid(e.message);
    return invalid(e instanceof Error ? e.message : String(e));
  }
}
