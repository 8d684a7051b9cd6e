import * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import { launchSpecKey } from '../core/mcp/launchSpec';
import { describeTarget, type StdioServerDefinition } from '../core/mcp/serverDefinition';
import { StateKeys } from './constants';
import type { SettingsOrigin } from './serverEntries';
import { Strings } from './strings';

/** Answers the launch question without a dialog (tests); `undefined` means ask the user. */
export type LaunchConfirmer = (def: StdioServerDefinition, commandLine: string) => Promise<boolean>;

/**
 * A stdio command that comes from WORKSPACE settings is shown in full (command line and working
 * directory) in a modal dialog and must be confirmed once before its first launch. The confirmation is
 * remembered by a hash of the whole launch spec (`launchSpecKey`: command, args, cwd, env, the secret's
 * mode and variable, and any field added later), so any change to what runs asks again. User-settings
 * commands were written by the user and are not asked about.
 */
export class StdioLaunchGuard {
  private override: LaunchConfirmer | undefined;

  constructor(private readonly state: vscode.Memento) {}

  async ensureAllowed(def: StdioServerDefinition, origin: SettingsOrigin): Promise<void> {
    if (origin !== 'workspace') return;
    const commandLine = describeTarget(def);
    const key = launchSpecKey(def);
    const confirmed = this.state.get<string[]>(StateKeys.confirmedStdioCommands, []);
    if (confirmed.includes(key)) return;
    const allowed = this.override
      ? await this.override(def, commandLine)
      : (await vscode.window.showWarningMessage(
          Strings.confirmStdioLaunch(def.name),
          { modal: true, detail: Strings.confirmStdioDetail(commandLine, def.cwd, envLines(def)) },
          Strings.allowRun,
        )) === Strings.allowRun;
    if (!allowed) throw new McpSecureError('cancelled', Strings.launchRefused);
    await this.state.update(StateKeys.confirmedStdioCommands, [...confirmed, key]);
  }

  /** Tests answer the question programmatically. */
  useConfirmer(confirmer: LaunchConfirmer): vscode.Disposable {
    this.override = confirmer;
    return new vscode.Disposable(() => {
      if (this.override === confirmer) this.override = undefined;
    });
  }
}

/** The environment the child gets from the definition, including where the shared secret goes. */
function envLines(def: StdioServerDefinition): string[] {
  const lines = Object.entries(def.env ?? {}).map(([k, v]) => `${k}=${v}`);
  if (def.secret.mode === 'env' || def.secret.mode === 'both') lines.push(Strings.secretEnvLine(def.secret.envVar));
  return lines;
}
