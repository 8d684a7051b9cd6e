import { createHash } from 'node:crypto';
import type * as vscode from 'vscode';
import { safeVerbatim } from '../core/common/safeText';
import { McpSecureError } from '../core/errors';
import { describeTarget, type StdioServerDefinition } from '../core/mcp/serverDefinition';
import { StateKeys } from './constants';
import type { Confirm } from './prompts';
import type { SettingsOrigin } from './serverEntries';
import { Strings } from './strings';

/** Answers the launch question without a dialog (tests); resolves true to run. */
export type LaunchConfirmer = (def: StdioServerDefinition, commandLine: string) => Promise<boolean>;

/**
 * Every stdio command — from workspace OR user settings — is shown in full (command line, working
 * directory, environment) in a modal and must be confirmed once before its first launch. The
 * confirmation is remembered by a hash of exactly what runs, so any change asks again.
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
      kind: 'stdioLaunch', def, commandLine, origin,
      message: Strings.confirmStdioLaunch(def.name, origin === 'workspace' ? Strings.fromWorkspace : Strings.fromUser),
      // Shown exactly (escaped, nothing removed): the user must see everything that will run.
      detail: Strings.confirmStdioDetail(safeVerbatim(commandLine), def.cwd === undefined ? undefined : safeVerbatim(def.cwd), envLines(def).map((l) => safeVerbatim(l))),
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

/** SHA-256 over the command line, working directory and environment names+values shown to the user. */
export function launchKey(def: StdioServerDefinition): string {
  const material = JSON.stringify([def.command, def.args, def.cwd ?? null, def.env ?? null]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/**
 * A confirmation is per origin: allowing a command in user settings does not allow a workspace to run
 * it, and the reverse. Workspace keys keep the unprefixed form they always had.
 */
function confirmationKey(def: StdioServerDefinition, origin: SettingsOrigin): string {
  return origin === 'workspace' ? launchKey(def) : `user:${launchKey(def)}`;
}

function envLines(def: StdioServerDefinition): string[] {
  return Object.entries(def.env ?? {}).map(([k, v]) => `${k}=${v}`);
}
