import * as vscode from 'vscode';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import { addServerCommand } from './commands/addServerCommand';
import { callToolCommand } from './commands/callToolCommand';
import { forgetRegistrationCommand } from './commands/forgetRegistrationCommand';
import { importServersCommand } from './commands/importServersCommand';
import { pickServer } from './commands/pickServer';
import { rotateSecretCommand } from './commands/rotateSecretCommand';
import { Commands, Settings, Views, type CommandId } from './constants';
import { reportFailure, withCancellableProgress } from './progress';
import type { CommandServices } from './services';
import { Strings } from './strings';

type Handler = (s: CommandServices, ...args: unknown[]) => Promise<unknown>;

/** Every command of the extension; `test/unit/manifest.test.ts` checks this table against package.json. */
const HANDLERS: Record<CommandId, { readonly title: string; readonly run: Handler }> = {
  [Commands.addServer]: { title: 'Add server', run: (s, raw, secret) => addServerCommand(s, raw, secret) },
  [Commands.importServers]: { title: 'Import servers', run: (s) => importServersCommand(s) },
  [Commands.removeServer]: { title: 'Remove server', run: removeServer },
  [Commands.connect]: { title: 'Connect', run: connect },
  [Commands.disconnect]: { title: 'Disconnect', run: disconnect },
  [Commands.signIn]: { title: 'Sign in', run: signIn },
  [Commands.signOut]: { title: 'Sign out', run: signOut },
  [Commands.listTools]: { title: 'List tools', run: listTools },
  [Commands.callTool]: { title: 'Call tool', run: (s, a, t, args) => callToolCommand(s, a, t, args) },
  [Commands.rotateSecret]: { title: 'Rotate shared secret', run: (s, a, c) => rotateSecretCommand(s, a, c) },
  [Commands.showLog]: { title: 'Show log', run: async (s) => s.channel.show(true) },
  [Commands.refresh]: { title: 'Refresh', run: async (s) => s.tree.refresh() },
  [Commands.openSettings]: { title: 'Open settings', run: () => Promise.resolve(vscode.commands.executeCommand('workbench.action.openSettings', Settings.servers)) },
  [Commands.forgetClientRegistration]: { title: 'Forget client registration', run: (s, a) => forgetRegistrationCommand(s, a) },
};

export const REGISTERED_COMMANDS: readonly string[] = Object.keys(HANDLERS);

/**
 * Registers every command. A failure is reported once (plain text, secrets never shown) and
 * rethrown, so programmatic callers (`executeCommand`, tests) see the typed error too.
 */
export function registerCommands(s: CommandServices): vscode.Disposable[] {
  return Object.entries(HANDLERS).map(([id, { title, run }]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(s, ...args);
      } catch (e) {
        reportFailure(s.logger, title, e);
        throw e;
      }
    }),
  );
}

async function connect(s: CommandServices, arg: unknown): Promise<string> {
  const def = await pickServer(s.registry, arg);
  await withCancellableProgress(Strings.connecting(def.name), (signal) => s.actions.connect(def.id, signal));
  return s.manager.state(def.id).kind;
}

async function disconnect(s: CommandServices, arg: unknown): Promise<void> {
  const def = await pickServer(s.registry, arg, (d) => s.manager.state(d.id).kind !== 'stopped');
  await s.actions.disconnect(def.id);
}

async function signIn(s: CommandServices, arg: unknown): Promise<string> {
  const def = (await pickServer(s.registry, arg, (d) => d.transport === 'http')) as HttpServerDefinition;
  const session = await s.auth.signIn(def);
  void vscode.window.showInformationMessage(Strings.signedIn(def.name, session.account.label));
  return session.account.label;
}

async function signOut(s: CommandServices, arg: unknown): Promise<void> {
  const def = await pickServer(s.registry, arg, (d) => d.transport === 'http');
  await s.actions.disconnect(def.id);
  await s.auth.removeSession(def.id);
}

async function listTools(s: CommandServices, arg: unknown): Promise<string[]> {
  const def = await pickServer(s.registry, arg);
  const tools = await withCancellableProgress(Strings.listingTools(def.name), (signal) => s.actions.listTools(def.id, signal));
  if (tools.length === 0) void vscode.window.showInformationMessage(Strings.noTools(def.name));
  else if (typeof arg !== 'string') void vscode.commands.executeCommand(`${Views.servers}.focus`);
  return tools.map((t) => t.name);
}

async function removeServer(s: CommandServices, arg: unknown): Promise<boolean> {
  const invalid = typeof arg === 'object' && arg !== null && 'entry' in arg ? (arg as { entry: { origin: 'user' | 'workspace'; index: number } }).entry : undefined;
  if (invalid) return s.registry.remove({ origin: invalid.origin, index: invalid.index });
  const def = await pickServer(s.registry, arg);
  if (typeof arg !== 'string') {
    const answer = await vscode.window.showWarningMessage(Strings.removeConfirm(def.name), { modal: true }, Strings.remove);
    if (answer !== Strings.remove) return false;
  }
  await s.actions.disconnect(def.id);
  // Signs out of this definition's grant, and forgets (without sending it anywhere) one issued for an earlier definition.
  if (def.transport === 'http') await s.engine.signOut(await s.secrets.oauthServerFor(def));
  await s.secrets.forget(def.id);
  const removed = await s.registry.remove({ id: def.id });
  if (typeof arg !== 'string') void vscode.window.showInformationMessage(Strings.serverRemoved(def.name));
  return removed;
}
