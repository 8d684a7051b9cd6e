import { McpSecureError } from '../errors';

/** Allow and deny lists of tool-name globs for one server (`*` any run of characters, `?` one character). */
export interface ToolRules {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** Per server id. */
export type ToolPolicy = ReadonlyMap<string, ToolRules>;

const MAX_PATTERNS = 200;
const MAX_PATTERN_LENGTH = 200;

/** True when `name` matches the glob `pattern` as a whole (case-sensitive, like MCP tool names). */
export function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

/**
 * The verdict for one tool: `deny` wins over `allow`; a non-empty `allow` list admits only the tools it
 * matches. Returns the refusal (code `policy_denied`) or undefined when the tool may be used.
 */
export function checkToolPolicy(
  rules: ToolRules | undefined,
  serverName: string,
  tool: string,
): McpSecureError | undefined {
  if (!rules) return undefined;
  const denied = rules.deny?.find((p) => globMatch(p, tool));
  if (denied !== undefined)
    return new McpSecureError(
      'policy_denied',
      `The tool ${JSON.stringify(tool.slice(0, 100))} of ${serverName} is denied for chat by the MCP Secure tool policy (deny: ${JSON.stringify(denied)}).`,
    );
  if (rules.allow && rules.allow.length > 0 && !rules.allow.some((p) => globMatch(p, tool))) {
    return new McpSecureError(
      'policy_denied',
      `The tool ${JSON.stringify(tool.slice(0, 100))} of ${serverName} is not in the MCP Secure allow list for chat.`,
    );
  }
  return undefined;
}

/**
 * Parse the `mcpSecure.gateway.tools` setting: `{ "<server id>": { "allow": [globs], "deny": [globs] } }`.
 * Invalid entries are reported (by server id and field, never by value) and ignored; a server whose
 * rules are invalid gets `deny: ["*"]`, so a typo never widens what chat may call.
 */
export function parseToolPolicy(raw: unknown): { policy: ToolPolicy; problems: string[] } {
  const policy = new Map<string, ToolRules>();
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { policy, problems };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { policy, problems: ['the setting must be an object keyed by server id'] };
  for (const [serverId, value] of Object.entries(raw as Record<string, unknown>)) {
    const rules = parseRules(value);
    if (typeof rules === 'string') {
      problems.push(`${serverId}: ${rules}`);
      policy.set(serverId, { deny: ['*'] });
    } else {
      policy.set(serverId, rules);
    }
  }
  return { policy, problems };
}

function parseRules(value: unknown): ToolRules | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object with "allow" and/or "deny" lists';
  const out: { allow?: string[]; deny?: string[] } = {};
  for (const [key, list] of Object.entries(value as Record<string, unknown>)) {
    if (key !== 'allow' && key !== 'deny') return `"${key.slice(0, 40)}" is not a known field`;
    if (
      !Array.isArray(list) ||
      list.length > MAX_PATTERNS ||
      list.some((p) => typeof p !== 'string' || p.length === 0 || p.length > MAX_PATTERN_LENGTH)
    ) {
      return `"${key}" must be a list of non-empty tool-name globs`;
    }
    out[key] = [...(list as string[])];
  }
  return out;
}
