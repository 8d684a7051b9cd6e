import type { Client, ServerCapabilities } from '@modelcontextprotocol/client';

/**
 * The MCP requests the gateway forwards unchanged to the upstream server (MCP 2025-11-25 §Resources,
 * §Prompts, §Utilities/Completion, §Utilities/Logging). `tools/*`, `initialize` and `ping` are handled
 * by the proxy session itself.
 */
export const FORWARDED_REQUESTS: ReadonlySet<string> = new Set([
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);

export interface ForwardOptions {
  readonly signal: AbortSignal;
  readonly timeout: number;
}

/**
 * Send one forwarded request through the SDK client's typed method (so both upstream wires,
 * 2025-11-25 and 2026-07-28, work the same), bypassing the client's response cache.
 */
export async function forwardRequest(
  client: Client,
  method: string,
  params: Record<string, unknown>,
  options: ForwardOptions,
): Promise<Record<string, unknown>> {
  const o = { signal: options.signal, timeout: options.timeout };
  const fresh = { ...o, cacheMode: 'bypass' as const };
  // The SDK validates the params against the spec schemas; the casts only hand them over.
  type P<K extends keyof Client> = Client[K] extends (p: infer X, ...rest: never[]) => unknown ? X : never;
  switch (method) {
    case 'resources/list':
      return (await client.listResources(params as P<'listResources'>, fresh)) as Record<string, unknown>;
    case 'resources/templates/list':
      return (await client.listResourceTemplates(params as P<'listResourceTemplates'>, fresh)) as Record<
        string,
        unknown
      >;
    case 'resources/read':
      return (await client.readResource(params as P<'readResource'>, fresh)) as Record<string, unknown>;
    case 'resources/subscribe':
      return (await client.subscribeResource(params as P<'subscribeResource'>, o)) as Record<string, unknown>;
    case 'resources/unsubscribe':
      return (await client.unsubscribeResource(params as P<'unsubscribeResource'>, o)) as Record<string, unknown>;
    case 'prompts/list':
      return (await client.listPrompts(params as P<'listPrompts'>, fresh)) as Record<string, unknown>;
    case 'prompts/get':
      return (await client.getPrompt(params as P<'getPrompt'>, o)) as Record<string, unknown>;
    case 'completion/complete':
      return (await client.complete(params as P<'complete'>, o)) as Record<string, unknown>;
    case 'logging/setLevel':
      return (await client.setLoggingLevel(params.level as Parameters<Client['setLoggingLevel']>[0], o)) as Record<
        string,
        unknown
      >;
    default:
      throw new Error(`not a forwarded method: ${method}`);
  }
}

/**
 * The capabilities the gateway announces to VS Code: what the upstream server offers, with `tools`
 * always present and `listChanged` on (the gateway itself announces tool changes, e.g. a policy change).
 * Experimental and unknown capabilities are not passed on.
 */
export function toServerCapabilities(upstream: ServerCapabilities | undefined): Record<string, unknown> {
  const caps: Record<string, unknown> = { tools: { listChanged: true } };
  if (upstream?.resources)
    caps.resources = {
      listChanged: upstream.resources.listChanged === true,
      subscribe: upstream.resources.subscribe === true,
    };
  if (upstream?.prompts) caps.prompts = { listChanged: upstream.prompts.listChanged === true };
  if (upstream?.completions) caps.completions = {};
  if (upstream?.logging) caps.logging = {};
  return caps;
}
