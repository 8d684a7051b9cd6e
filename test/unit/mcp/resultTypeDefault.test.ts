import { strict as assert } from 'node:assert';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { defaultResultTypeToComplete } from '../../../src/core/mcp/resultTypeDefault';

describe('SEP-2322 resultType default', () => {
  function setup(modern: boolean): { transport: Transport; seen: JSONRPCMessage[] } {
    const transport: Transport = {
      start: async () => undefined,
      send: async () => undefined,
      close: async () => undefined,
    };
    defaultResultTypeToComplete(transport, () => modern);
    const seen: JSONRPCMessage[] = [];
    transport.onmessage = (m) => void seen.push(m);
    return { transport, seen };
  }

  it('adds resultType "complete" to modern-era results that lack it, and leaves everything else alone', () => {
    const { transport, seen } = setup(true);
    transport.onmessage?.({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    transport.onmessage?.({ jsonrpc: '2.0', id: 2, result: { resultType: 'input_required', inputRequests: {} } });
    transport.onmessage?.({ jsonrpc: '2.0', id: 3, error: { code: -1, message: 'x' } });
    transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/x' });
    assert.deepEqual(seen, [
      { jsonrpc: '2.0', id: 1, result: { content: [], resultType: 'complete' } },
      { jsonrpc: '2.0', id: 2, result: { resultType: 'input_required', inputRequests: {} } },
      { jsonrpc: '2.0', id: 3, error: { code: -1, message: 'x' } },
      { jsonrpc: '2.0', method: 'notifications/x' },
    ]);
  });

  it('does nothing on a legacy-era connection', () => {
    const { transport, seen } = setup(false);
    transport.onmessage?.({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    assert.deepEqual(seen, [{ jsonrpc: '2.0', id: 1, result: { content: [] } }]);
  });
});
