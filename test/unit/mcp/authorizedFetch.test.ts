import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { createAuthorizedFetch } from '../../../src/core/mcp/authorizedFetch';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';

describe('authorizedFetch and the transport\'s long-lived abort signal', () => {
  let server: Server;
  let endpoint: URL;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers: only an abort ends the request
      res.setHeader('content-type', 'application/json');
      res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const authorizedFetch = (): ReturnType<typeof createAuthorizedFetch> =>
    createAuthorizedFetch({ endpoint, authorizer: anonymousAuthorizer, logger: new MemoryLogger(), maxResponseBytes: 1024 * 1024 });

  it('leaves no abort listener on the signal it was given once each response is read', async () => {
    const transport = new AbortController(); // the SDK passes one signal for the transport's lifetime
    const f = authorizedFetch();
    for (let i = 0; i < 20; i++) await (await f(endpoint, { method: 'POST', body: '{}', signal: transport.signal })).json();
    assert.equal(getEventListeners(transport.signal, 'abort').length, 0);
  });

  it('still aborts an in-flight request when that signal aborts', async () => {
    const transport = new AbortController();
    const pending = authorizedFetch()(new URL('/hang', endpoint), { method: 'POST', body: '{}', signal: transport.signal });
    transport.abort(new Error('transport closed'));
    await assert.rejects(pending, /transport closed/);
  });
});
