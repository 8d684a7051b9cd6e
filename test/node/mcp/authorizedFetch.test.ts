import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { AccessDeniedError } from '../../../src/core/mcp/accessDeniedError';
import { createAuthorizedFetch } from '../../../src/core/mcp/authorizedFetch';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';

/** A loopback HTTP server for the enclosing suite (started before it, closed after it); `endpoint()` is its `/mcp`. */
function loopbackServer(handler: RequestListener): { endpoint(): URL } {
  let server: Server;
  let endpoint: URL;
  before(async () => {
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { endpoint: () => endpoint };
}

/** The fetch under test for `endpoint`, without credentials. */
const anonymousFetch = (endpoint: URL, maxResponseBytes: number): ReturnType<typeof createAuthorizedFetch> =>
  createAuthorizedFetch({ endpoint, authorizer: anonymousAuthorizer, logger: new MemoryLogger(), maxResponseBytes });

describe("authorizedFetch and the transport's long-lived abort signal", () => {
  const server = loopbackServer((req, res) => {
    if (req.url === '/hang') return; // never answers: only an abort ends the request
    if (req.url === '/401') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    if (req.url === '/redirect') return void res.writeHead(307, { location: '/mcp' }).end();
    if (req.url?.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
      if (req.url === '/events-end') res.end();
      return; // '/events' stays open: an event stream that only an abort or the reader ends
    }
    const body = '{"jsonrpc":"2.0","id":1,"result":{}}';
    if (req.url === '/declared') res.setHeader('content-length', Buffer.byteLength(body));
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  const authorizedFetch = (): ReturnType<typeof createAuthorizedFetch> =>
    anonymousFetch(server.endpoint(), 1024 * 1024);

  it('leaves no abort listener on the signal it was given once each response is read', async () => {
    const transport = new AbortController(); // the SDK passes one signal for the transport's lifetime
    const f = authorizedFetch();
    for (let i = 0; i < 20; i++)
      await (await f(server.endpoint(), { method: 'POST', body: '{}', signal: transport.signal })).json();
    assert.equal(getEventListeners(transport.signal, 'abort').length, 0);
  });

  it('leaves no listener however the request ends: declared or chunked body, event stream read or cancelled, 401, redirect, refused connection', async () => {
    const transport = new AbortController();
    const f = authorizedFetch();
    const post = (path: string): Promise<Response> =>
      f(new URL(path, server.endpoint()), { method: 'POST', body: '{}', signal: transport.signal });
    for (let i = 0; i < 3; i++) {
      await (await post('/declared')).json();
      await (await post('/mcp')).json();
      assert.match(await (await post('/events-end')).text(), /^data: /);
      const open = (await post('/events')).body?.getReader();
      await open?.read();
      await open?.cancel();
      await assert.rejects(post('/401'), (e: unknown) => e instanceof AccessDeniedError && e.status === 401);
      await (await post('/redirect')).json();
      const refused = anonymousFetch(new URL('http://127.0.0.1:9/mcp'), 1024);
      await assert.rejects(
        refused('http://127.0.0.1:9/mcp', { method: 'POST', body: '{}', signal: transport.signal }),
        /fetch failed/,
      );
    }
    await new Promise((r) => setImmediate(r)); // a cancelled stream's pipe settles in a later turn
    assert.equal(getEventListeners(transport.signal, 'abort').length, 0);
  });

  it('aborts an event stream in the middle of its body when that signal aborts', async () => {
    const transport = new AbortController();
    const response = await authorizedFetch()(new URL('/events', server.endpoint()), {
      method: 'POST',
      body: '{}',
      signal: transport.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    transport.abort(new Error('transport closed'));
    await assert.rejects(reader?.read() ?? Promise.resolve(), /transport closed/);
  });

  it('still aborts an in-flight request when that signal aborts', async () => {
    const transport = new AbortController();
    const pending = authorizedFetch()(new URL('/hang', server.endpoint()), {
      method: 'POST',
      body: '{}',
      signal: transport.signal,
    });
    transport.abort(new Error('transport closed'));
    await assert.rejects(pending, /transport closed/);
  });
});

describe('authorizedFetch response bounds', () => {
  const limit = 64 * 1024;
  const server = loopbackServer((req, res) => {
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
  const f = (): ReturnType<typeof createAuthorizedFetch> => anonymousFetch(server.endpoint(), limit);

  it('refuses a body whose declared length exceeds the limit', async () => {
    await assert.rejects(f()(server.endpoint(), { method: 'POST', body: '{}' }), (e: unknown) =>
      isMcpSecureError(e, 'protocol_error'),
    );
  });

  it('counts a compressed body as it expands, whatever its declared length', async () => {
    const res = await f()(new URL('/gzip', server.endpoint()), { method: 'POST', body: '{}' });
    await assert.rejects(res.text(), (e: unknown) => isMcpSecureError(e, 'protocol_error'));
  });
});
