import * as vscode from 'vscode';
import type { StdioServerDefinition } from '../../core/mcp/serverDefinition';
import type { CommandServices } from '../services';
import { Strings } from '../strings';
import type { Preselection } from './commandArguments';
import { pickServer } from './pickServer';

/**
 * `mcpSecure.rotateSecret`: replaces a stdio server's shared secret in SecretStorage (a failed write
 * leaves the old one in place), restarts the server if it was running, and offers a snippet showing
 * how the server should read `MCP_SHARED_SECRET` and check `clientInfo.secret`.
 */
export async function rotateSecretCommand(s: CommandServices, pre: Preselection): Promise<string> {
  const def = (await pickServer(s.registry, pre.serverId, (d) => d.transport === 'stdio')) as StdioServerDefinition;
  // Always asked: a preselected server only says which one the question is about.
  const confirmed = await s.confirm({
    kind: 'rotateSecret',
    serverId: def.id,
    message: Strings.rotateConfirm(def.name),
    action: Strings.rotate,
  });
  if (!confirmed) return '';
  const wasRunning = s.manager.state(def.id).kind === 'running';
  const fingerprint = await s.secrets.rotateStdioSecret(def);
  s.logger.info(`rotated the shared secret of ${def.id} (${fingerprint})`);
  if (wasRunning) await s.actions.connect(def.id);
  s.tree.refresh();
  void vscode.window
    .showInformationMessage(Strings.rotated(def.name, fingerprint), Strings.showSnippet)
    .then(async (pick) => {
      if (pick === Strings.showSnippet) await showSnippet(def);
    });
  return fingerprint;
}

async function showSnippet(def: StdioServerDefinition): Promise<void> {
  const document = await vscode.workspace.openTextDocument({
    language: 'typescript',
    content: serverSnippet(def.secret.envVar),
  });
  await vscode.window.showTextDocument(document, { preview: true });
}

export function serverSnippet(envVar: string): string {
  return `// How a stdio MCP server checks the shared secret MCP Secure Connections gives it.
// The secret arrives only in the environment (never argv); the client presents it again inside the
// initialize handshake as clientInfo.secret. Compare in constant time and refuse anything else.
import { createHash, timingSafeEqual } from 'node:crypto';

const expected = process.env.${envVar};
if (!expected) {
  console.error('${envVar} is not set: refusing to start');
  process.exit(1);
}
delete process.env.${envVar}; // keep it away from child processes

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

// With @modelcontextprotocol/sdk (McpServer): once the handshake is done, check what the client presented.
server.server.oninitialized = () => {
  const presented = (server.server.getClientVersion() as { secret?: unknown } | undefined)?.secret;
  if (typeof presented !== 'string' || !sameSecret(presented, expected)) {
    console.error('unauthorized client: wrong or missing clientInfo.secret');
    process.exit(1);
  }
};
`;
}
