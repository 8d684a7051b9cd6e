import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMcpSecureError } from '../../../src/core/errors';
import { CommandOpener, HeadlessOpener, PrintOpener } from '../../../src/cli/openers';

function listen(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
    }),
  );
}
const close = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

describe('cli openers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  it('HeadlessOpener follows the authorization redirect and delivers it to the loopback listener', async () => {
    const received: string[] = [];
    const loopback = await listen((req, res) => {
      received.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('done');
    });
    servers.push(loopback.server);
    const as = await listen((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/authorize')
        res
          .writeHead(302, {
            location: `${u.searchParams.get('redirect_uri')}?code=abc&state=${u.searchParams.get('state')}`,
          })
          .end();
      else res.writeHead(404).end();
    });
    servers.push(as.server);
    const url = new URL(
      `${as.base}/authorize?redirect_uri=${encodeURIComponent(`${loopback.base}/callback`)}&state=s1`,
    );
    await new HeadlessOpener().open(url);
    assert.deepEqual(received, ['/callback?code=abc&state=s1']);
  });

  it('HeadlessOpener refuses a redirect to a non-loopback http URL and bounds redirect loops', async () => {
    const evil = await listen((_req, res) => res.writeHead(302, { location: 'http://attacker.example/steal' }).end());
    servers.push(evil.server);
    await assert.rejects(new HeadlessOpener().open(new URL(`${evil.base}/authorize`)), (e: unknown) =>
      isMcpSecureError(e, 'insecure_url'),
    );
    let hits = 0;
    const loop = await listen((_req, res) => {
      hits++;
      res.writeHead(302, { location: '/again' }).end();
    });
    servers.push(loop.server);
    await assert.rejects(new HeadlessOpener().open(new URL(`${loop.base}/start`)), (e: unknown) =>
      isMcpSecureError(e, 'authorization_denied'),
    );
    assert.equal(hits, 10);
  });

  it('CommandOpener passes the URL as one argv element, never through a shell', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'mcp-secure-opener-'));
    const out = join(dir, 'argv.json');
    const script = join(dir, 'record.js');
    await fs.writeFile(
      script,
      `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)))`,
    );
    const url = new URL('https://as.example/authorize?a=1&b=$(touch /tmp/pwned)&c=`id`;echo x');
    await new CommandOpener(`${process.execPath} ${script} --flag`).open(url);
    const deadline = Date.now() + 10_000;
    let argv: string[] | undefined;
    while (!argv && Date.now() < deadline) {
      argv = await fs
        .readFile(out, 'utf8')
        .then((t) => JSON.parse(t) as string[])
        .catch(() => undefined);
      if (!argv) await new Promise((r) => setTimeout(r, 25)); // poll interval while waiting for the detached child
    }
    assert.deepEqual(argv, ['--flag', url.href]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('CommandOpener reports a command that cannot be run; PrintOpener writes the URL', async () => {
    await assert.rejects(
      new CommandOpener('/nonexistent/browser').open(new URL('https://as.example/a')),
      (e: unknown) => isMcpSecureError(e, 'authorization_cancelled'),
    );
    let text = '';
    await new PrintOpener((t) => {
      text += t;
    }).open(new URL('https://as.example/authorize?x=1'));
    assert.match(text, /https:\/\/as\.example\/authorize\?x=1/);
  });
});
