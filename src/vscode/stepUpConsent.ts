import type { Confirm } from './prompts';
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
 * 2025-11-25 §Scope Challenge Handling): a modal naming the granted and the requested scopes, through
 * the `confirm` prompt the composition root injects.
 */
export class StepUpConsentPrompt {
  constructor(
    private readonly registry: ServerRegistry,
    private readonly confirm: Confirm,
    private readonly onAsked: (request: StepUpRequest) => void = () => undefined,
  ) {}

  readonly ask = async (request: StepUpRequest): Promise<boolean> => {
    this.onAsked(request);
    const name = this.registry.get(request.serverId)?.name ?? request.serverId;
    return this.confirm({
      kind: 'stepUp',
      ...request,
      message: Strings.stepUpTitle(name),
      detail: Strings.stepUpDetail(request.granted.join(' '), request.requested.join(' ')),
      action: Strings.allowStepUp,
    });
  };
}
