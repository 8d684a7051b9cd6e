import * as vscode from 'vscode';
import { preselection } from '../commands/commandArguments';
import { checkSecurityCommand } from '../commands/checkSecurityCommand';
import { NativeCommands } from '../constants';
import { runCommand } from '../commandOutcome';
import { editorFailureSink } from '../progress';
import { SecurityReportDocuments } from '../securityReportDocuments';
import type { CommandServices } from '../services';
import type { LiveSettings } from './liveSettings';
import { ServerStatusBar, type StatusBarSources } from './statusBar';
import { Strings } from '../strings';

/** Ids registered here; `test/unit/manifest.test.ts` checks them against package.json and the NativeCommands table. */
export interface NativeFeatures {
  readonly statusBar: ServerStatusBar;
  readonly disposables: vscode.Disposable[];
}

/**
 * The "native feel" features of issue 12 that stand on their own: the "Check Server Security…" command
 * with its read-only report documents, and the status bar item.
 */
export function registerNativeFeatures(
  s: CommandServices,
  settings: LiveSettings,
  statusSources: StatusBarSources,
): NativeFeatures {
  const reports = new SecurityReportDocuments();
  const statusBar = new ServerStatusBar(statusSources);
  const check = vscode.commands.registerCommand(NativeCommands.checkSecurity, (...args: unknown[]) =>
    runCommand(
      editorFailureSink(s.logger),
      () => Strings.taskCheckSecurity,
      // Arguments (a tree node, an id) only preselect the server, as for every command.
      () => checkSecurityCommand(s, reports, () => settings.clientMetadataUrl, preselection(args).serverId),
    ),
  );
  return { statusBar, disposables: [reports, statusBar, check] };
}
