import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { CommandOpener, openerEnvironment } from '../../../src/cli/openers';
import { toTerminalText } from '../../../src/cli/terminalText';
import { bundleCli, type CliRun, runCli } from './support/cliBundle';

/** Retitle the window, clear the screen, an 8-bit CSI, a bell, a carriage return and a bidi override. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31mEvil\rSpoof\u202Etxt';
/** Raw control characters a terminal would act on. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

/** Issue 7 item 11: server-controlled strings never drive the terminal; the opener never sees secrets. */
describe('mcp-secure CLI: terminal-safe output and a minimal opener environment (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  let server: Server;
  let url: string;

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-term-'));
    // A hostile "MCP server": every request gets a JSON-RPC error whose message is an escape-sequence payload.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const id = (() => {
          try {
            return (JSON.parse(body) as { id?: unknown }).id ?? null;
          } catch {
            return null;
          }
        })();
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: HOSTILE } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[]): Promise<CliRun> => runCli(cli, args);

  it('prints what a hostile server says (HTTP error, stdio stderr) with its escape sequences shown, not run', async () => {
    const script = join(dir, 'hostile-stdio.js');
    await fs.writeFile(
      script,
      `process.stderr.write(${JSON.stringify(`${HOSTILE}\n`)}); setTimeout(() => process.exit(3), 100);`,
    );
    const plain = await run(['tools', url, '--verbose']);
    const json = await run(['tools', url, '--json']);
    const stdio = await run(['tools', '--verbose', '--stdio', '--', process.execPath, script]);
    assert.deepEqual([plain.code === 0, stdio.code === 0], [false, false]);
    assert.ok(stdio.stderr.includes('pwned'), `the server's stderr is still reported: ${stdio.stderr}`);
    for (const [name, text] of [
      ['stderr', plain.stderr],
      ['stdout', plain.stdout],
      ['json stderr', json.stderr],
      ['json stdout', json.stdout],
      ['stdio stderr', stdio.stderr],
      ['stdio stdout', stdio.stdout],
    ]) {
      assert.ok(!RAW_CONTROL.test(text!), `${name} carries raw control characters: ${JSON.stringify(text)}`);
    }
  });

  it('shows every terminal-controlling character as a visible escape, keeping tabs and newlines', () => {
    assert.equal(
      toTerminalText(`a\tb\n${HOSTILE}`),
      'a\tb\n\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31mEvil\\u000dSpoof\\u202etxt',
    );
  });

  it('gives the --open-with child a minimal environment: no store key, no client secret', async () => {
    const out = join(dir, 'env.json');
    const script = join(dir, 'record-env.js');
    await fs.writeFile(script, `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`);
    const parentEnv = {
      ...process.env,
      MCP_SECURE_STORE_KEY: 'canary-store-key-0123456789',
      MY_CLIENT_SECRET: 'canary-client-secret',
      DISPLAY: ':7',
      LC_ALL: 'C',
    };
    await new CommandOpener(`${process.execPath} ${script}`, parentEnv).open(new URL('https://as.example/authorize'));
    let seen: Record<string, string> | undefined;
    for (let i = 0; !seen && i < 400; i++) {
      seen = await fs
        .readFile(out, 'utf8')
        .then((t) => JSON.parse(t) as Record<string, string>)
        .catch(() => undefined);
      if (!seen) await new Promise((r) => setTimeout(r, 25)); // poll while the detached child starts
    }
    assert.ok(seen, 'the opener ran');
    assert.deepEqual(
      [seen.MCP_SECURE_STORE_KEY, seen.MY_CLIENT_SECRET, seen.DISPLAY, seen.LC_ALL, seen.PATH === process.env.PATH],
      [undefined, undefined, ':7', 'C', true],
    );
    assert.deepEqual(
      Object.keys(
        openerEnvironment({ AWS_SECRET_ACCESS_KEY: 'x', GITHUB_TOKEN: 'y', HOME: '/h', XDG_RUNTIME_DIR: '/r' }),
      ).sort(),
      ['HOME', 'XDG_RUNTIME_DIR'],
    );
  });
});
