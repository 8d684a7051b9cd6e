import * as vscode from 'vscode';
import type { ServerRegistry } from './serverRegistry';
import { Strings } from './strings';

export interface StepUpRequest {
  readonly serverId: string;
  readonly granted: readonly string[];
  readonly requested: readonly string[];
}
export type StepUpAnswer = (request: StepUpRequest) => Promise<boolean>;

/**
 * Asks the user before the engine widens a grant after `403 insufficient_scope` (MCP authorization
 * 2025-11-25 §Scope Challenge Handling): a modal naming the granted and the requested scopes.
 * Tests answer through `useAnswer` because test mode refuses dialogs.
 */
export class StepUpConsentPrompt {
  private override: StepUpAnswer | undefined;

  constructor(
    private readonly registry: ServerRegistry,
    private readonly onAsked: (request: StepUpRequest) => void = () => undefined,
  ) {}

  readonly ask = async (request: StepUpRequest): Promise<boolean> => {
    this.onAsked(request);
    if (this.override) return this.override(request);
    const name = this.registry.get(request.serverId)?.name ?? request.serverId;
    const answer = await vscode.window.showWarningMessage(
      Strings.stepUpTitle(name),
      { modal: true, detail: Strings.stepUpDetail(request.granted.join(' '), request.requested.join(' ')) },
      Strings.allowStepUp,
    );
    return answer === Strings.allowStepUp;
  };

  useAnswer(answer: StepUpAnswer): vscode.Disposable {
    this.override = answer;
    return new vscode.Disposable(() => {
      if (this.override === answer) this.override = undefined;
    });
  }
}
