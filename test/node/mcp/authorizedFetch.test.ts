import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { createAuthorizedFetch } from '../../../src/core/mcp/authorizedFetch';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';

describe("authorizedFetch and the transport's long-lived abort signal", () => {
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
    createAuthorizedFetch({
      endpoint,
      authorizer: anonymousAuthorizer,
      logger: new MemoryLogger(),
      maxResponseBytes: 1024 * 1024,
    });

  it('leaves no abort listener on the signal it was given once each response is read', async () => {
    const transport = new AbortController(); // the SDK passes one signal for the transport's lifetime
    const f = authorizedFetch();
    for (let i = 0; i < 20; i++)
      await (await f(endpoint, { method: 'POST', body: '{}', signal: transport.signal })).json();
    assert.equal(getEventListeners(transport.signal, 'abort').length, 0);
  });

  it('still aborts an in-flight request when that signal aborts', async () => {
    const transport = new AbortController();
    const pending = authorizedFetch()(new URL('/hang', endpoint), {
      method: 'POST',
      body: '{}',
      signal: transport.signal,
    });
    transport.abort(new Error('transport closed'));
    await assert.rejects(pending, /transport closed/);
  });
});

describe('authorizedFetch response bounds', () => {
  let server: Server;
  let endpoint: URL;
  const limit = 64 * 1024;
  before(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const body = `{"pad":"${'x'.repeat(limit * 4)}"}`;
      if (req.url === '/gzip') {
        const packed = gzipSync(body); // a few hundred bytes on the wire, 256 KiB once expanded
        res.setHeader('content-encoding', 'gzip');
        res.setHeader('content-length', packed.length);
        res.end(packed);
        return;
      }
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const f = (): ReturnType<typeof createAuthorizedFetch> =>
    createAuthorizedFetch({
      endpoint,
      authorizer: anonymousAuthorizer,
      logger: new MemoryLogger(),
      maxResponseBytes: limit,
    });

  it('refuses a body whose declared length exceeds the limit', async () => {
    await assert.rejects(f()(endpoint, { method: 'POST', body: '{}' }), (e: unknown) =>
      isMcpSecureError(e, 'protocol_error'),
    );
  });

  it('counts a compressed body as it expands, whatever its declared length', async () => {
    const res = await f()(new URL('/gzip', endpoint), { method: 'POST', body: '{}' });
    await assert.rejects(res.text(), (e: unknown) => isMcpSecureError(e, 'protocol_error'));
  });
});
