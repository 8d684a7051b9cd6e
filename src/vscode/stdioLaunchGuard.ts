import type * as vscode from 'vscode';
import { safeVerbatim } from '../core/common/safeText';
import { McpSecureError } from '../core/errors';
import { launchSpecKey } from '../core/mcp/launchSpec';
import { describeTarget, type StdioServerDefinition } from '../core/mcp/serverDefinition';
import { StateKeys } from './constants';
import type { Confirm } from './prompts';
import type { SettingsOrigin } from './serverEntries';
import { Strings } from './strings';

/** Answers the launch question without a dialog (tests); resolves true to run. */
export type LaunchConfirmer = (def: StdioServerDefinition, commandLine: string) => Promise<boolean>;

/**
 * Every stdio command — from workspace OR user settings — is shown in full (command line, working
 * directory, environment, the variable that receives the shared secret) in a modal and must be
 * confirmed once before its first launch. The confirmation is remembered by a hash of the whole launch
 * spec (`launchSpecKey`: command, args, cwd, env, the secret's mode and variable, and any field added
 * later), so any change to what runs asks again.
 *
 * User settings are not trusted blindly: they are also written by Settings Sync from other machines,
 * by other programs editing settings.json, and (before this check existed) by a `command:` link that
 * made `mcpSecure.addServer` write a definition it was handed. The one launch that is not asked about
 * is a command the user typed into the Add Server wizard themselves (`remember`).
 */
export class StdioLaunchGuard {
  constructor(
    private readonly state: vscode.Memento,
    private readonly confirm: Confirm,
  ) {}

  async ensureAllowed(def: StdioServerDefinition, origin: SettingsOrigin): Promise<void> {
    const key = confirmationKey(def, origin);
    if (this.confirmed().includes(key)) return;
    const commandLine = describeTarget(def);
    const allowed = await this.confirm({
      kind: 'stdioLaunch',
      def,
      commandLine,
      origin,
      message: Strings.confirmStdioLaunch(def.name, origin === 'workspace' ? Strings.fromWorkspace : Strings.fromUser),
      // Shown exactly (escaped, nothing removed): the user must see everything that will run.
      detail: Strings.confirmStdioDetail(
        safeVerbatim(commandLine),
        def.cwd === undefined ? undefined : safeVerbatim(def.cwd),
        envLines(def).map((l) => safeVerbatim(l)),
      ),
      action: Strings.allowRun,
    });
    if (!allowed) throw new McpSecureError('cancelled', Strings.launchRefused);
    await this.record(key);
  }

  /** Records `def` as confirmed: the user has just typed this very command (Add Server writes user settings). */
  remember(def: StdioServerDefinition): Promise<void> {
    return this.record(confirmationKey(def, 'user'));
  }

  private async record(key: string): Promise<void> {
    const confirmed = this.confirmed();
    if (!confirmed.includes(key)) await this.state.update(StateKeys.confirmedStdioCommands, [...confirmed, key]);
  }

  private confirmed(): string[] {
    return this.state.get<string[]>(StateKeys.confirmedStdioCommands, []);
  }
}

/**
 * A confirmation is per origin: allowing a command in user settings does not allow a workspace to run
 * it, and the reverse.
 */
function confirmationKey(def: StdioServerDefinition, origin: SettingsOrigin): string {
  return origin === 'workspace' ? launchSpecKey(def) : `user:${launchSpecKey(def)}`;
}

/** The environment the child gets from the definition, including where the shared secret goes. */
function envLines(def: StdioServerDefinition): string[] {
  const lines = Object.entries(def.env ?? {}).map(([k, v]) => `${k}=${v}`);
  if (def.secret.mode === 'env' || def.secret.mode === 'both') lines.push(Strings.secretEnvLine(def.secret.envVar));
  for (const name of def.secretEnv ?? []) lines.push(Strings.importStoredSecretEnvLine(name));
  return lines;
}
