import type { ConnectionState } from '../../core/mcp/connectionState';
import {
  describeTarget,
  type HttpServerDefinition,
  type ServerDefinition,
  type StdioServerDefinition,
} from '../../core/mcp/serverDefinition';
import type { GrantView } from '../engineContract';
import type { ServerRegistry } from '../serverRegistry';
import { safeText } from '../../core/common/safeText';
import { Strings } from '../strings';
import type { ToolCache } from '../toolCache';
import type { ToolScopeKnowledge } from '../toolScopes';
import { scopeStatus } from './grantScopes';
import type { TreeNode } from './treeNodes';

/** Where the tree reads its facts; all reads are in-memory or async storage reads, never sync I/O. */
export interface TreeSources {
  readonly registry: ServerRegistry;
  readonly tools: ToolCache;
  readonly scopes: ToolScopeKnowledge;
  state(serverId: string): ConnectionState;
  grant(serverId: string): Promise<GrantView | undefined>;
  fingerprint(serverId: string): Promise<string | undefined>;
  clientMetadataUrl(): string | undefined;
  now(): number;
  /** The gateway's view of a server (issue 8): offered to chat, and chat calls served since activation. */
  chat?(serverId: string):
    | {
        readonly offered: boolean;
        readonly calls: number;
        readonly held: number;
        readonly hidden: number;
        readonly conflicts: readonly string[];
      }
    | undefined;
}

/** Computes the children of a node. */
export async function childrenOf(sources: TreeSources, node: TreeNode | undefined): Promise<TreeNode[]> {
  if (!node) return rootNodes(sources);
  switch (node.kind) {
    case 'server': {
      const def = sources.registry.get(node.serverId);
      if (!def) return [];
      return def.transport === 'http' ? httpChildren(sources, def) : stdioChildren(sources, def);
    }
    case 'scopes':
      return [
        ...node.granted.map((scope) => ({ kind: 'scope', serverId: node.serverId, scope, granted: true }) as const),
        ...node.missing.map((scope) => ({ kind: 'scope', serverId: node.serverId, scope, granted: false }) as const),
      ];
    case 'tools':
      return toolNodes(sources, node.serverId, node.tools ?? []);
    case 'invalid':
    case 'detail':
    case 'scope':
    case 'tool':
      return [];
  }
}

function rootNodes(sources: TreeSources): TreeNode[] {
  return sources.registry
    .entries()
    .map((entry) =>
      entry.kind === 'valid'
        ? ({ kind: 'server', serverId: entry.def.id } as const)
        : ({ kind: 'invalid', entry } as const),
    );
}

async function httpChildren(sources: TreeSources, def: HttpServerDefinition): Promise<TreeNode[]> {
  const grant = await sources.grant(def.id);
  const id = def.id;
  const nodes: TreeNode[] = [
    stateNode(id, sources.state(id)),
    { kind: 'detail', serverId: id, role: 'transport', label: Strings.transportLabel('http'), description: def.url },
    {
      kind: 'detail',
      serverId: id,
      role: 'human',
      label: Strings.human,
      description: grant ? humanLabel(grant) : Strings.notSignedIn,
      ...(grant?.subject ? { tooltip: Strings.subjectTooltip(grant.subject, grant.issuer) } : {}),
    },
    { kind: 'detail', serverId: id, role: 'agent', label: Strings.agent, description: agentLabel(sources, def, grant) },
    {
      kind: 'detail',
      serverId: id,
      role: 'server',
      label: Strings.server,
      description: grant ? Strings.resourceLabel(grant.resource, grant.issuer) : def.url,
    },
  ];
  if (grant) {
    if (grant.expiresAt !== undefined) nodes.push(expiryNode(id, grant.expiresAt, sources.now()));
    const { granted, missing } = scopeStatus(grant);
    nodes.push({ kind: 'scopes', serverId: id, granted: [...granted], missing: [...missing] });
  }
  nodes.push(...chatNode(sources, id), { kind: 'tools', serverId: id, tools: sources.tools.get(id) });
  return nodes;
}

async function stdioChildren(sources: TreeSources, def: StdioServerDefinition): Promise<TreeNode[]> {
  const id = def.id;
  const fingerprint = def.secret.mode === 'none' ? undefined : await sources.fingerprint(id);
  const agent =
    def.secret.mode === 'none'
      ? Strings.sharedSecretNone
      : fingerprint
        ? Strings.sharedSecret(fingerprint)
        : Strings.sharedSecretPending;
  return [
    stateNode(id, sources.state(id)),
    {
      kind: 'detail',
      serverId: id,
      role: 'transport',
      label: Strings.transportLabel('stdio'),
      description: describeTarget(def),
    },
    { kind: 'detail', serverId: id, role: 'human', label: Strings.human, description: Strings.notApplicable },
    { kind: 'detail', serverId: id, role: 'agent', label: Strings.agent, description: agent },
    {
      kind: 'detail',
      serverId: id,
      role: 'server',
      label: Strings.server,
      description: `${def.secret.mode} (${def.secret.envVar})`,
      tooltip: describeTarget(def),
    },
    ...chatNode(sources, id),
    { kind: 'tools', serverId: id, tools: sources.tools.get(id) },
  ];
}

function toolNodes(
  sources: TreeSources,
  serverId: string,
  tools: NonNullable<Extract<TreeNode, { kind: 'tools' }>['tools']>,
): Promise<TreeNode[]> {
  const def = sources.registry.get(serverId);
  return (async () => {
    const granted = def?.transport === 'http' ? ((await sources.grant(serverId))?.grantedScopes ?? []) : undefined;
    return tools.map((tool) => {
      const required = sources.scopes.requiredScopes(serverId, tool);
      const missingScopes = granted === undefined ? [] : required.filter((s) => !granted.includes(s));
      return { kind: 'tool', serverId, tool, missingScopes } as const;
    });
  })();
}

/** Whether VS Code's chat can use the server through the gateway, and how many chat calls it served. */
function chatNode(sources: TreeSources, serverId: string): TreeNode[] {
  const chat = sources.chat?.(serverId);
  if (!chat) return [];
  return [
    {
      kind: 'detail',
      serverId,
      role: 'chat',
      label: Strings.chatLabel,
      description: [
        chat.offered ? Strings.chatOffered(chat.calls) : Strings.chatNotOffered,
        ...(chat.held ? [Strings.chatHeldBack(chat.held)] : []),
        ...(chat.hidden ? [Strings.chatHidden(chat.hidden)] : []),
        ...(chat.conflicts.length ? [Strings.chatConflicts(safeText(chat.conflicts.join(', '), 200))] : []),
      ].join(' · '),
      tooltip: Strings.chatTooltip,
      warning: chat.held > 0 || chat.conflicts.length > 0,
    },
  ];
}

function stateNode(serverId: string, state: ConnectionState): TreeNode {
  return { kind: 'detail', serverId, role: 'state', label: stateLabel(state), warning: state.kind === 'error' };
}

export function stateLabel(state: ConnectionState): string {
  switch (state.kind) {
    case 'stopped':
      return Strings.stateStopped;
    case 'starting':
      return Strings.stateStarting;
    case 'running':
      return Strings.stateRunning(state.wire, state.protocolVersion);
    case 'error':
      return Strings.stateError(state.message);
  }
}

function expiryNode(serverId: string, expiresAt: number, now: number): TreeNode {
  const when = new Date(expiresAt).toLocaleTimeString();
  const minutes = Math.round((expiresAt - now) / 60_000);
  const relative = minutes >= 0 ? `${when} (in ${minutes} min)` : `${when}`;
  return {
    kind: 'detail',
    serverId,
    role: 'expiry',
    label: expiresAt > now ? Strings.expires(relative) : Strings.expired(relative),
    tooltip: new Date(expiresAt).toISOString(),
    warning: expiresAt <= now,
  };
}

function humanLabel(grant: GrantView): string {
  return grant.displayName || grant.subject || Strings.notSignedIn;
}

function agentLabel(
  sources: TreeSources,
  def: ServerDefinition & { transport: 'http' },
  grant: GrantView | undefined,
): string {
  const clientId = grant?.clientId ?? def.oauth?.clientId ?? sources.clientMetadataUrl();
  return clientId ? Strings.clientIdLabel(clientId) : Strings.notSignedIn;
}
