import { isJSONRPCResultResponse, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';

/**
 * SEP-2322 (2026-07-28 multi-round-trip requests): "Client MUST assume resultType `complete` when not
 * specified" (checked by the conformance scenario `sep-2322-client-request-state`). The SDK 2.4 treats
 * a modern-era result without `resultType` as invalid, so inbound results on a modern connection that
 * lack the field get `resultType: "complete"` before the SDK decodes them. Nothing else is touched.
 */
export function defaultResultTypeToComplete(transport: Transport, isModern: () => boolean): void {
  let handler: Transport['onmessage'];
  let wrapped: Transport['onmessage'];
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (h: Transport['onmessage']) => {
      handler = h;
      wrapped =
        h &&
        ((message: JSONRPCMessage, extra?: Parameters<NonNullable<Transport['onmessage']>>[1]) =>
          handler?.(patch(message, isModern), extra));
    },
  });
}

function patch(message: JSONRPCMessage, isModern: () => boolean): JSONRPCMessage {
  if (!isJSONRPCResultResponse(message) || !isModern()) return message;
  const result = message.result as Record<string, unknown> | undefined;
  if (typeof result !== 'object' || result === null || 'resultType' in result) return message;
  return { ...message, result: { ...result, resultType: 'complete' } } as JSONRPCMessage;
}
