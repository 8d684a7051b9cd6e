import * as vscode from 'vscode';
import { isMcpSecureError } from '../core/errors';
import type { ElicitationAnswer, ElicitationHandler, ElicitationRequest } from '../core/mcp/types';
import { askEach } from './commands/toolArguments';
import { flatProperties } from './commands/toolSchema';
import { safeLines, safeText } from '../core/common/safeText';
import type { ServerRegistry } from './serverRegistry';
import { Strings } from './strings';

/**
 * Form-mode elicitation (MCP 2025-11-25 §Client Features / Elicitation): a modal naming the server and
 * its (plain-text) message, then one quick input per field prefilled with the schema defaults
 * (SEP-1034). Schemas that are not flat are declined rather than half-answered.
 */
export class ElicitationPrompt {
  constructor(private readonly registry: ServerRegistry) {}

  readonly handle: ElicitationHandler = (request) => this.ask(request);

  private async ask(request: ElicitationRequest): Promise<ElicitationAnswer> {
    const name = safeText(this.registry.get(request.serverId)?.name ?? request.serverId, 80);
    const props = flatProperties(request.requestedSchema);
    const choice = await vscode.window.showInformationMessage(
      Strings.elicitTitle(name),
      { modal: true, detail: safeLines(request.message, 500, 20) },
      Strings.elicitRespond,
      Strings.elicitDecline,
    );
    if (choice === Strings.elicitDecline || (choice && !props)) return { action: 'decline' };
    if (!choice || !props) return { action: 'cancel' };
    try {
      return { action: 'accept', content: await askEach(props, request.defaults) };
    } catch (e) {
      if (isMcpSecureError(e, 'cancelled')) return { action: 'cancel' };
      throw e;
    }
  }
}
