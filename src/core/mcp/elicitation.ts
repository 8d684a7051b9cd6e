import type { Client } from '@modelcontextprotocol/client';
import type { Logger } from '../ports';
import type { ElicitationHandler } from './types';

/**
 * Values a form's schema proposes as defaults (SEP-1034: primitive properties of the flat
 * `requestedSchema` may carry `default`). Used to prefill the form; the SDK additionally fills any
 * default the user left empty into an `accept` because the client declares
 * `elicitation.form.applyDefaults`.
 */
export function schemaDefaults(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = schema.properties;
  if (typeof props !== 'object' || props === null) return out;
  for (const [key, prop] of Object.entries(props as Record<string, unknown>)) {
    if (typeof prop === 'object' && prop !== null && Object.prototype.hasOwnProperty.call(prop, 'default')) {
      out[key] = (prop as { default: unknown }).default;
    }
  }
  return out;
}

/** Register the host's form-elicitation handler (MCP 2025-11-25 §Client Features / Elicitation). */
export function installElicitationHandler(
  client: Client,
  serverId: string,
  handler: ElicitationHandler,
  logger: Logger,
): void {
  client.setRequestHandler('elicitation/create', async (request, ctx) => {
    const params = request.params as { mode?: string; message?: string; requestedSchema?: Record<string, unknown> };
    if (params.mode === 'url' || !params.requestedSchema) {
      logger.info('declined an elicitation request that is not a form');
      return { action: 'decline' };
    }
    const requestedSchema = params.requestedSchema;
    const answer = await handler(
      { serverId, message: String(params.message ?? ''), requestedSchema, defaults: schemaDefaults(requestedSchema) },
      ctx.mcpReq.signal,
    );
    return answer.action === 'accept'
      ? { action: 'accept', content: { ...answer.content } as Record<string, string> }
      : { action: answer.action };
  });
}
