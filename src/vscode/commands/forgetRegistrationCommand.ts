import * as vscode from 'vscode';
import type { HttpServerDefinition } from '../../core/mcp/serverDefinition';
import type { CommandServices } from '../services';
import { Strings } from '../strings';
import { pickServer } from './pickServer';

/**
 * `mcpSecure.forgetClientRegistration`: signs out of an HTTP server and forgets the dynamic client
 * registration (RFC 7591) its sign-ins use, so the next sign-in registers a new client: the way out
 * when the authorization server lost or disabled the registration. Returns the issuers whose stored
 * registration was removed.
 */
export async function forgetRegistrationCommand(s: CommandServices, serverId: string | undefined): Promise<string[]> {
  const def = (await pickServer(s.registry, serverId, (d) => d.transport === 'http')) as HttpServerDefinition;
  await s.actions.disconnect(def.id);
  const issuers = await s.engine.forgetRegistration(await s.secrets.oauthServerFor(def));
  s.logger.info(
    `forgot the client registration of ${def.id}${issuers.length ? ` at ${issuers.join(', ')}` : ' (none stored)'}`,
  );
  s.tree.refresh();
  void vscode.window.showInformationMessage(
    issuers.length
      ? Strings.registrationForgotten(def.name, issuers.join(', '))
      : Strings.noRegistrationStored(def.name),
  );
  return issuers;
}
