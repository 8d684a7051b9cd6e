import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import { parseServerDefinition, validateEndpointUrl, type ServerDefinition } from '../../core/mcp/serverDefinition';
import type { CommandServices } from '../services';
import { Strings } from '../strings';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `mcpSecure.addServer`: a short wizard (transport, URL or command + args, name, id, optional OAuth
 * overrides) that writes a validated entry to user settings. A static client secret goes to
 * SecretStorage, never to settings. The command takes NO arguments: it is reachable from `command:`
 * links, and a definition handed to it would let one click write a process to launch into settings.
 * A stdio command typed here is the one launch the user is not asked about again (`remember`).
 */
export async function addServerCommand(s: CommandServices): Promise<ServerDefinition> {
  const given = await wizard(s);
  const { entry, clientSecret } = withoutClientSecret(given.entry, given.clientSecret);
  const def = parseServerDefinition(entry);
  if (s.registry.get(def.id)) throw new McpSecureError('invalid_server_definition', Strings.duplicateId(def.id));
  // Secret first: if secret storage fails, no half-configured server is left in settings.
  if (clientSecret && def.transport === 'http') await s.secrets.setClientSecret(def, clientSecret);
  if (def.transport === 'stdio') await s.guard.remember(def);
  await s.registry.add([entry]);
  s.logger.info(`added server ${def.id} (${def.transport})`);
  void vscode.window.showInformationMessage(Strings.serverAdded(def.name));
  return def;
}

/** Moves `oauth.clientSecret` out of the entry: client secrets belong in SecretStorage only. */
function withoutClientSecret(
  entry: Record<string, unknown>,
  given: string | undefined,
): { entry: Record<string, unknown>; clientSecret?: string } {
  const oauth = isRecord(entry.oauth) ? { ...entry.oauth } : undefined;
  const inline = typeof oauth?.clientSecret === 'string' ? oauth.clientSecret : undefined;
  if (oauth) delete oauth.clientSecret;
  const clean = oauth ? { ...entry, oauth } : { ...entry };
  const clientSecret = given ?? inline;
  return clientSecret ? { entry: clean, clientSecret } : { entry: clean };
}

async function wizard(
  s: CommandServices,
): Promise<{ entry: Record<string, unknown>; clientSecret?: string | undefined }> {
  const transport = await vscode.window.showQuickPick(
    [
      { label: Strings.transportHttp, detail: Strings.transportHttpDetail, value: 'http' as const },
      { label: Strings.transportStdio, detail: Strings.transportStdioDetail, value: 'stdio' as const },
    ],
    { placeHolder: Strings.pickTransport, ignoreFocusOut: true },
  );
  if (!transport) throw cancelled();
  const target = transport.value === 'http' ? await askHttp() : await askStdio();
  const name = await ask({ prompt: Strings.enterName, value: suggestName(target) });
  const id = await ask({
    prompt: Strings.enterId,
    value: uniqueId(s, slug(name)),
    validateInput: (v) => (ID_PATTERN.test(v) ? undefined : Strings.idInvalid),
  });
  const entry: Record<string, unknown> = { id, name, transport: transport.value, ...target };
  if (transport.value !== 'http') return { entry };
  const { oauth, clientSecret } = await askOAuthOptions();
  if (Object.keys(oauth).length) entry.oauth = oauth;
  return clientSecret ? { entry, clientSecret } : { entry };
}

async function askHttp(): Promise<Record<string, unknown>> {
  const url = await ask({
    prompt: Strings.enterUrl,
    placeHolder: 'https://mcp.example.com/mcp',
    validateInput: (v) => validate(() => validateEndpointUrl(v)),
  });
  return { url };
}

async function askStdio(): Promise<Record<string, unknown>> {
  const command = await ask({
    prompt: Strings.enterCommand,
    validateInput: (v) => validate(() => parseServerDefinition({ id: 'x', transport: 'stdio', command: v })),
  });
  const argsText = await ask(
    { prompt: Strings.enterArgs, value: '', validateInput: (v) => (parseArgs(v) ? undefined : Strings.argsInvalid) },
    true,
  );
  const args = parseArgs(argsText) ?? [];
  return args.length ? { command, args } : { command };
}

async function askOAuthOptions(): Promise<{ oauth: Record<string, unknown>; clientSecret?: string }> {
  const picks = await vscode.window.showQuickPick(
    [
      { label: Strings.optClientId, key: 'clientId' },
      { label: Strings.optScopes, key: 'scopes' },
      { label: Strings.optPkce, key: 'pkce' },
      { label: Strings.optResource, key: 'resourceParameter' },
    ],
    { placeHolder: Strings.pickOptions, canPickMany: true, ignoreFocusOut: true },
  );
  if (!picks) throw cancelled();
  const oauth: Record<string, unknown> = {};
  let clientSecret: string | undefined;
  for (const { key } of picks) {
    if (key === 'clientId') {
      oauth.clientId = await ask({ prompt: Strings.enterClientId });
      clientSecret = (await ask({ prompt: Strings.enterClientSecret, password: true }, true)) || undefined;
    } else if (key === 'scopes') {
      oauth.scopes = (await ask({ prompt: Strings.enterScopes })).split(/\s+/).filter(Boolean);
    } else if (key === 'pkce') {
      oauth.pkce = 'assume-s256';
    } else if (key === 'resourceParameter') {
      const mode = await vscode.window.showQuickPick(['resource', 'audience', 'omit'], {
        placeHolder: Strings.pickResourceMode,
        ignoreFocusOut: true,
      });
      if (!mode) throw cancelled();
      oauth.resourceParameter = mode;
    }
  }
  return clientSecret ? { oauth, clientSecret } : { oauth };
}

async function ask(options: vscode.InputBoxOptions, allowEmpty = false): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined || (!allowEmpty && value.trim() === '')) throw cancelled();
  return value.trim();
}

function validate(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function parseArgs(text: string): string[] | undefined {
  if (text.trim() === '') return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((a) => typeof a === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function suggestName(target: Record<string, unknown>): string {
  if (typeof target.url === 'string') return new URL(target.url).host;
  return typeof target.command === 'string' ? (target.command.split(/[\\/]/).pop() ?? 'server') : 'server';
}

function slug(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60) || 'server'
  );
}

function uniqueId(s: CommandServices, base: string): string {
  if (!s.registry.get(base)) return base;
  for (let n = 2; ; n++) if (!s.registry.get(`${base}-${n}`)) return `${base}-${n}`;
}

function cancelled(): McpSecureError {
  return new McpSecureError('cancelled', Strings.cancelled);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
