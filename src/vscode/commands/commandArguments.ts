import type { SettingsOrigin } from '../serverEntries';

/**
 * What a command may take from the arguments it is invoked with. Commands are reachable from
 * anywhere that can run a command with arguments — a `command:` link in rendered markdown, another
 * extension, a keybinding — so arguments may only PRESELECT a target the user then acts on with the
 * usual prompts: a server (id string or tree node), a tool, an invalid settings entry, and tool
 * arguments that are shown in a confirmation before they are sent. Nothing else gets through: no
 * server definition, no secret, no "already confirmed" flag.
 */
export interface Preselection {
  readonly serverId?: string;
  readonly tool?: string;
  readonly invalidEntry?: { readonly origin: SettingsOrigin; readonly index: number };
  /** Only for `callTool`; always confirmed by the user together with the tool and the server. */
  readonly toolArguments?: Readonly<Record<string, unknown>>;
  /** Only for `importServers`: which source to preview (`{ importSource: 'vscodeUser' }`); the preview still asks. */
  readonly importSource?: string;
}

const ID_MAX = 256;

/**
 * Reads a preselection from raw command arguments: `(serverId | { serverId } | { entry }, toolName?,
 * toolArguments?)`, also a tree node `{ serverId, tool: { name } }`. Everything else is ignored.
 */
export function preselection(args: readonly unknown[]): Preselection {
  const [first, second, third] = args;
  const serverId =
    typeof first === 'string'
      ? first
      : isRecord(first) && typeof first.serverId === 'string'
        ? first.serverId
        : undefined;
  const tool =
    typeof second === 'string'
      ? second
      : isRecord(first) && isRecord(first.tool) && typeof first.tool.name === 'string'
        ? first.tool.name
        : undefined;
  const invalidEntry = invalidEntryFrom(first);
  return {
    ...(serverId !== undefined && serverId.length <= ID_MAX ? { serverId } : {}),
    // A tool only makes sense within a preselected server.
    ...(serverId !== undefined && tool !== undefined && tool.length <= ID_MAX ? { tool } : {}),
    ...(invalidEntry ? { invalidEntry } : {}),
    ...(isRecord(third) ? { toolArguments: third } : {}),
    ...(isRecord(first) && typeof first.importSource === 'string' && first.importSource.length <= ID_MAX
      ? { importSource: first.importSource }
      : {}),
  };
}

function invalidEntryFrom(arg: unknown): Preselection['invalidEntry'] {
  if (!isRecord(arg) || !isRecord(arg.entry)) return undefined;
  const { origin, index } = arg.entry;
  if (
    (origin !== 'user' && origin !== 'workspace') ||
    typeof index !== 'number' ||
    !Number.isInteger(index) ||
    index < 0
  )
    return undefined;
  return { origin, index };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
