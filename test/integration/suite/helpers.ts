/**
 * Shared helpers for the extension-host suites: the activated API, fixture coordinates from the
 * environment the integration runner sets, settings writes, and waiting on state (never on time).
 */
import * as vscode from 'vscode';
import { completeAuthorizationWithForms } from '../../fixtures/auth/formLogin';
import type { McpSecureApi } from '../../../src/vscode/testApi';

export const EXTENSION_ID = 'mcp-secure.mcp-secure-connections';
export const HTTP_ID = 'it-tickets';
export const STDIO_ID = 'it-notes';

export async function activatedApi(): Promise<McpSecureApi> {
  const extension = vscode.extensions.getExtension<McpSecureApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return extension.isActive ? extension.exports : extension.activate();
}

export interface Fixtures {
  readonly issuer: string;
  readonly httpUrl: string;
  readonly stdio: { command: string; args: string[] };
  readonly user: { username: string; password: string };
}

/** The fixture coordinates, or undefined when the runner started no fixtures (suites then skip). */
export function fixtures(): Fixtures | undefined {
  const env = process.env;
  if (
    !env.MCP_SECURE_TEST_ISSUER ||
    !env.MCP_SECURE_TEST_HTTP_URL ||
    !env.MCP_SECURE_TEST_STDIO ||
    !env.MCP_SECURE_TEST_USER
  )
    return undefined;
  return {
    issuer: env.MCP_SECURE_TEST_ISSUER,
    httpUrl: env.MCP_SECURE_TEST_HTTP_URL,
    stdio: JSON.parse(env.MCP_SECURE_TEST_STDIO) as Fixtures['stdio'],
    user: JSON.parse(env.MCP_SECURE_TEST_USER) as Fixtures['user'],
  };
}

export function requireFixtures(): Fixtures {
  const f = fixtures();
  if (!f) throw new Error('MCP_SECURE_TEST_* variables are not set: run through `npm run test:integration`');
  return f;
}

/** The browser stand-in: completes the AS's login + consent forms over HTTP as the test user. */
export function formOpener(user: Fixtures['user'], opened: URL[] = []): (url: URL) => Promise<void> {
  return async (url) => {
    opened.push(url);
    await completeAuthorizationWithForms(url, user);
  };
}

export function serverEntries(f: Fixtures): Record<string, unknown>[] {
  return [
    { id: HTTP_ID, name: 'Integration Tickets', transport: 'http', url: f.httpUrl },
    { id: STDIO_ID, name: 'Integration Notes', transport: 'stdio', command: f.stdio.command, args: f.stdio.args },
  ];
}

export async function setServers(
  entries: unknown[] | undefined,
  target = vscode.ConfigurationTarget.Global,
): Promise<void> {
  await vscode.workspace.getConfiguration().update('mcpSecure.servers', entries, target);
}

/** Polls `probe` on every event-loop turn until it returns a truthy value (bounded by `timeoutMs`). */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Flattens the tree snapshot into `label | description | contextValue` lines for readable asserts. */
export function flatten(nodes: Awaited<ReturnType<McpSecureApi['tree']>>, depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.label}${n.description ? ` — ${n.description}` : ''} [${n.contextValue ?? ''}]`,
    ...flatten(n.children, depth + 1),
  ]);
}

/**
 * The common start of a suite: the fixture coordinates, the activated API (handed to `onApi` before
 * any setting changes), both fixture servers configured, and a wait until every id in `ids` is registered.
 */
export async function fixtureServersReady(
  ids: readonly string[],
  onApi: (api: McpSecureApi) => void = () => undefined,
): Promise<{ f: Fixtures; api: McpSecureApi }> {
  const f = requireFixtures();
  const api = await activatedApi();
  onApi(api);
  await setServers(serverEntries(f));
  await waitFor(
    () => ids.every((id) => api.servers().some((s) => s.id === id)),
    `${ids.join(' and ')} in the registry`,
  );
  return { f, api };
}

/**
 * Configures, beside the shared fixture servers, a stdio server of the calling suite's own: the fixture's
 * command with an `env` of its own, so that the launch spec differs and a first launch confirmed here
 * leaves the stdio suite's "asks once" check of the shared definition untouched. Resolves with the entry
 * once the registry has it.
 */
export async function addOwnStdioServer(
  api: McpSecureApi,
  f: Fixtures,
  own: { readonly id: string; readonly name: string; readonly env: Record<string, string> },
): Promise<{ readonly id: string }> {
  const entry = { ...own, transport: 'stdio', command: f.stdio.command, args: f.stdio.args };
  await setServers([...serverEntries(f), entry]);
  await waitFor(() => api.servers().some((d) => d.id === entry.id), "the suite's stdio server in the registry");
  return entry;
}
