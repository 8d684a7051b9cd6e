import * as vscode from 'vscode';
import { safeText } from '../core/common/safeText';
import { McpSecureError } from '../core/errors';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import { addServerCommand } from './commands/addServerCommand';
import { callToolCommand } from './commands/callToolCommand';
import { preselection, type Preselection } from './commands/commandArguments';
import { forgetRegistrationCommand } from './commands/forgetRegistrationCommand';
import { importServersCommand } from './commands/importServersCommand';
import { pickServer } from './commands/pickServer';
import { rotateSecretCommand } from './commands/rotateSecretCommand';
import { Commands, Settings, Views, type CommandId } from './constants';
import { runCommand } from './commandOutcome';
import { editorFailureSink, withCancellableProgress } from './progress';
import type { CommandServices } from './services';
import { Strings } from './strings';

/** A command handler sees a `Preselection`, never the raw arguments (see `commandArguments.ts`). */
type Handler = (s: CommandServices, pre: Preselection) => Promise<unknown>;

/** Every command of the extension; `test/unit/manifest.test.ts` checks this table against package.json. */
/** `title` names the task in a failure notification (read when it is shown, so it is in the user's language). */
const HANDLERS: Record<CommandId, { readonly title: () => string; readonly run: Handler }> = {
  [Commands.addServer]: { title: () => Strings.taskAddServer, run: (s) => addServerCommand(s) },
  [Commands.importServers]: {
    title: () => Strings.taskImportServers,
    run: (s, pre) => importServersCommand(s, pre.importSource),
  },
  [Commands.removeServer]: { title: () => Strings.taskRemoveServer, run: removeServer },
  [Commands.connect]: { title: () => Strings.taskConnect, run: connect },
  [Commands.disconnect]: { title: () => Strings.taskDisconnect, run: disconnect },
  [Commands.signIn]: { title: () => Strings.taskSignIn, run: signIn },
  [Commands.signOut]: { title: () => Strings.taskSignOut, run: signOut },
  [Commands.listTools]: { title: () => Strings.taskListTools, run: listTools },
  [Commands.callTool]: { title: () => Strings.taskCallTool, run: callToolCommand },
  [Commands.rotateSecret]: { title: () => Strings.taskRotateSecret, run: rotateSecretCommand },
  [Commands.showLog]: { title: () => Strings.taskShowLog, run: async (s) => s.channel.show(true) },
  [Commands.refresh]: { title: () => Strings.taskRefresh, run: async (s) => s.tree.refresh() },
  [Commands.openSettings]: {
    title: () => Strings.taskOpenSettings,
    run: () => Promise.resolve(vscode.commands.executeCommand('workbench.action.openSettings', Settings.servers)),
  },
  [Commands.forgetClientRegistration]: {
    title: () => Strings.taskForgetRegistration,
    run: (s, pre) => forgetRegistrationCommand(s, pre.serverId),
  },
};

export const REGISTERED_COMMANDS: readonly string[] = Object.keys(HANDLERS);

/**
 * Registers every command. Raw arguments are reduced to a `Preselection` before any handler runs. Each
 * handler runs in `runCommand`: a failure is reported once (plain text, secrets never shown) and rethrown,
 * so programmatic callers (`executeCommand`, tests) see the typed error too; a dismissed prompt resolves
 * to `undefined`, quietly.
 */
export function registerCommands(s: CommandServices): vscode.Disposable[] {
  const sink = editorFailureSink(s.logger);
  return Object.entries(HANDLERS).map(([id, { title, run }]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) =>
      runCommand(sink, title, () => run(s, preselection(args))),
    ),
  );
}

async function connect(s: CommandServices, pre: Preselection): Promise<string> {
  const def = await pickServer(s.registry, pre.serverId);
  await withCancellableProgress(Strings.connecting(def.name), (signal) => s.actions.connect(def.id, signal));
  return s.manager.state(def.id).kind;
}

async function disconnect(s: CommandServices, pre: Preselection): Promise<void> {
  const def = await pickServer(s.registry, pre.serverId, (d) => s.manager.state(d.id).kind !== 'stopped');
  await s.actions.disconnect(def.id);
}

async function signIn(s: CommandServices, pre: Preselection): Promise<string> {
  const def = (await pickServer(s.registry, pre.serverId, (d) => d.transport === 'http')) as HttpServerDefinition;
  const session = await s.auth.signIn(def);
  void vscode.window.showInformationMessage(Strings.signedIn(def.name, session.account.label));
  return session.account.label;
}

async function signOut(s: CommandServices, pre: Preselection): Promise<void> {
  const def = await pickServer(s.registry, pre.serverId, (d) => d.transport === 'http');
  await s.actions.disconnect(def.id);
  await s.auth.removeSession(def.id);
}

async function listTools(s: CommandServices, pre: Preselection): Promise<string[]> {
  const def = await pickServer(s.registry, pre.serverId);
  const tools = await withCancellableProgress(Strings.listingTools(def.name), (signal) =>
    s.actions.listTools(def.id, signal),
  );
  if (tools.length === 0) void vscode.window.showInformationMessage(Strings.noTools(def.name));
  else if (pre.serverId === undefined) void vscode.commands.executeCommand(`${Views.servers}.focus`);
  return tools.map((t) => t.name);
}

/** Always asks: an id or a tree node only says WHICH server the question is about. */
async function removeServer(s: CommandServices, pre: Preselection): Promise<boolean> {
  if (pre.invalidEntry) return removeInvalidEntry(s, pre.invalidEntry);
  const def = await pickServer(s.registry, pre.serverId);
  const confirmed = await s.confirm({
    kind: 'removeServer',
    serverId: def.id,
    message: Strings.removeConfirm(def.name),
    action: Strings.remove,
  });
  if (!confirmed) return false;
  await s.actions.disconnect(def.id);
  // Signs out of this definition's grant, and forgets (without sending it anywhere) one issued for an earlier definition.
  if (def.transport === 'http') await s.engine.signOut(await s.secrets.oauthServerFor(def));
  await s.secrets.forget(def.id);
  const removed = await s.registry.remove({ id: def.id });
  void vscode.window.showInformationMessage(Strings.serverRemoved(def.name));
  return removed;
}

/** The tree's "remove" on an invalid entry: only an entry that IS invalid, and only after asking. */
async function removeInvalidEntry(
  s: CommandServices,
  target: NonNullable<Preselection['invalidEntry']>,
): Promise<boolean> {
  const entry = s.registry.invalidEntries().find((e) => e.origin === target.origin && e.index === target.index);
  if (!entry) throw new McpSecureError('invalid_server_definition', Strings.invalidEntry(target.index));
  const label = entry.label ?? Strings.invalidEntry(entry.index);
  const confirmed = await s.confirm({
    kind: 'removeServer',
    serverId: entry.id ?? label,
    message: Strings.removeInvalidConfirm(label, entry.origin === 'user' ? Strings.fromUser : Strings.fromWorkspace),
    detail: safeText(entry.message),
    action: Strings.remove,
  });
  return confirmed ? s.registry.remove({ origin: entry.origin, index: entry.index }) : false;
}
