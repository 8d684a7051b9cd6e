import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/auditRecord';
import type { ToolInfo } from '../mcp/types';

/**
 * Tool pinning against tool poisoning and "rug pulls": the agent reads tool names, descriptions and
 * schemas, so a server can change them after the user let chat use it. The first time a tool is seen
 * through the gateway its definition is pinned (trust on first use); a later, different definition is
 * held back from chat until the user has seen the change and accepted it. A definition carrying hidden
 * characters (Unicode tag characters, bidi controls, zero-width characters) is never offered silently:
 * it is held back until accepted, even on first use.
 */

/** The fields the agent reads, in one canonical form (what is hashed and what a diff shows). */
export function pinnedForm(tool: ToolInfo): Record<string, unknown> {
  return {
    name: tool.name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.annotations !== undefined ? { annotations: tool.annotations } : {}),
    ...(tool.meta !== undefined ? { _meta: tool.meta } : {}),
  };
}

/** SHA-256 (hex) over the canonical JSON of {@link pinnedForm}. */
export function toolDigest(tool: ToolInfo): string {
  return createHash('sha256')
    .update(canonicalJson(pinnedForm(tool)), 'utf8')
    .digest('hex');
}

/** Unicode tag characters, bidi embeddings/overrides/isolates/marks, zero-width and invisible separators. */
const HIDDEN =
  /[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u180E]/gu;

/** The hidden characters in a tool's definition, as `U+XXXX` code points (unique, in order of appearance). */
export function hiddenCharacters(tool: ToolInfo): string[] {
  const text = canonicalJson(pinnedForm(tool));
  const found = new Set<string>();
  for (const m of text.matchAll(HIDDEN))
    found.add(`U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
  return [...found];
}

/** One pinned tool: its digest and the definition the user accepted (for the diff). */
export interface ToolPin {
  readonly digest: string;
  readonly definition: Record<string, unknown>;
}

export type PinVerdict =
  | { readonly kind: 'pinned' }
  | { readonly kind: 'changed'; readonly pin: ToolPin; readonly digest: string; readonly hidden: readonly string[] }
  | { readonly kind: 'hidden'; readonly digest: string; readonly hidden: readonly string[] };

/** A tool held back from chat, as the review command and the tree show it. */
export interface HeldBackTool {
  readonly serverId: string;
  readonly tool: ToolInfo;
  readonly verdict: Exclude<PinVerdict, { kind: 'pinned' }>;
}

/**
 * Compare a server's listed tools with its pins. Returns the verdict per tool and the pins to store:
 * tools never seen before are pinned (unless they carry hidden characters); changed ones keep their
 * old pin until accepted.
 */
export function reviewTools(
  pins: Readonly<Record<string, ToolPin>>,
  tools: readonly ToolInfo[],
): { verdicts: Map<string, PinVerdict>; pins: Record<string, ToolPin> } {
  const next: Record<string, ToolPin> = { ...pins };
  const verdicts = new Map<string, PinVerdict>();
  for (const tool of tools) {
    const digest = toolDigest(tool);
    const hidden = hiddenCharacters(tool);
    const pin = Object.hasOwn(pins, tool.name) ? pins[tool.name] : undefined;
    if (pin?.digest === digest) verdicts.set(tool.name, { kind: 'pinned' });
    else if (pin) verdicts.set(tool.name, { kind: 'changed', pin, digest, hidden });
    else if (hidden.length > 0) verdicts.set(tool.name, { kind: 'hidden', digest, hidden });
    else {
      next[tool.name] = { digest, definition: pinnedForm(tool) };
      verdicts.set(tool.name, { kind: 'pinned' });
    }
  }
  return { verdicts, pins: next };
}

/** Tool names offered by more than one server (shown as a conflict, never resolved silently). */
export function nameConflicts(listed: ReadonlyMap<string, readonly ToolInfo[]>): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const [serverId, tools] of listed)
    for (const t of tools) owners.set(t.name, [...(owners.get(t.name) ?? []), serverId]);
  return new Map([...owners].filter(([, ids]) => ids.length > 1));
}
