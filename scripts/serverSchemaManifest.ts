/**
 * The `mcpSecure.servers` entry schema as package.json carries it: generated from the zod schema
 * (src/core/mcp/serverDefinitionSchema.ts), with every `description` replaced by a `%key%` whose
 * English text lives in package.nls.json (VS Code's manifest localisation). Used by
 * scripts/syncServerSchema.ts and by the test that keeps package.json in sync.
 */
import { settingsEntryJsonSchema } from '../src/core/mcp/serverDefinitionSchema';

export const SERVERS_NLS_PREFIX = 'config.servers';

export interface ManifestSchema {
  /** The entry schema with `%key%` descriptions. */
  readonly schema: Record<string, unknown>;
  /** The English text of each key. */
  readonly nls: Record<string, string>;
}

function localize(node: unknown, path: string, nls: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => localize(item, path, nls));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && typeof value === 'string') {
      const nlsKey = `${path}.description`;
      nls[nlsKey] = value;
      out[key] = `%${nlsKey}%`;
    } else if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, localize(child, `${path}.${name}`, nls)]),
      );
    } else {
      out[key] = localize(value, path, nls);
    }
  }
  return out;
}

/** The generated entry schema with its descriptions moved to package.nls.json keys. */
export function serversManifestSchema(): ManifestSchema {
  const nls: Record<string, string> = {};
  const schema = localize(settingsEntryJsonSchema(), SERVERS_NLS_PREFIX, nls) as Record<string, unknown>;
  return { schema, nls };
}
