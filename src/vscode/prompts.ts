import * as vscode from 'vscode';
import type { StdioServerDefinition } from '../core/mcp/serverDefinition';
import type { ElicitationHandler } from '../core/mcp/types';
import type { BrowserOpener } from '../core/ports';
import type { RunWithProgress } from './progress';
import type { SettingsOrigin } from './serverEntries';

/**
 * Every question the extension asks the user before it acts. The text (`message`, `detail`, `action`)
 * is built from `Strings`, so untrusted parts are already plain text; the typed fields say what is
 * being confirmed, for the code that answers.
 */
export type ConfirmRequest = ConfirmText &
  (
    | { readonly kind: 'removeServer'; readonly serverId: string }
    | { readonly kind: 'rotateSecret'; readonly serverId: string }
    | {
        readonly kind: 'importServers';
        readonly names: readonly string[];
        /** Where from (`ImportSourceId`) and what the preview listed as skipped, with the reason code. */
        readonly source?: string;
        readonly skipped?: readonly { readonly name: string; readonly reason: string }[];
      }
    | {
        readonly kind: 'importRetireOriginal';
        readonly source: string;
        readonly file: string;
        readonly names: readonly string[];
      }
    | {
        readonly kind: 'stdioLaunch';
        readonly def: StdioServerDefinition;
        readonly commandLine: string;
        readonly origin: SettingsOrigin;
      }
    | {
        readonly kind: 'stepUp';
        readonly serverId: string;
        readonly granted: readonly string[];
        readonly requested: readonly string[];
      }
    | {
        readonly kind: 'callTool';
        readonly serverId: string;
        readonly tool: string;
        readonly args: Readonly<Record<string, unknown>>;
      }
  );
export type ConfirmKind = ConfirmRequest['kind'];

interface ConfirmText {
  readonly message: string;
  readonly detail?: string;
  /** The label of the one button that says yes; anything else (Cancel, Escape) says no. */
  readonly action: string;
}

/** Resolves true only when the user chose `request.action`. */
export type Confirm = (request: ConfirmRequest) => Promise<boolean>;

/**
 * The user-facing prompts the composition root (`extension.ts`) hands to the classes that need them.
 * Production passes `editorPrompts()`; only in `ExtensionMode.Test` are they wrapped with test doubles
 * (`testSeams.ts`). No production class carries an override of its own.
 */
export interface Prompts {
  readonly opener: BrowserOpener;
  readonly confirm: Confirm;
  readonly elicit: ElicitationHandler;
  /** A cancellable progress notification for a tool call (its Cancel button is the user's answer). */
  readonly progress: RunWithProgress;
}

/** A modal warning with the one action button; Cancel is added by the editor. */
export const modalConfirm: Confirm = async (request) => {
  const answer = await vscode.window.showWarningMessage(
    request.message,
    { modal: true, ...(request.detail !== undefined ? { detail: request.detail } : {}) },
    request.action,
  );
  return answer === request.action;
};
