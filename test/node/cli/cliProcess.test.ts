import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { bundleCli, type CliRun, runCli } from './support/cliBundle';

const CANARY = `canary-${randomBytes(12).toString('hex')}`;

/** The CLI bundled exactly as `npm run build` bundles it, then run as a real child process. */
describe('mcp-secure CLI as a child process', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  let httpServer: Server;
  let httpUrl: string;

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-cli-'));
    httpServer = await startPlainHttpMcpServer();
    const address = httpServer.address() as { port: number };
    httpUrl = `http://127.0.0.1:${address.port}/mcp`;
  });
  after(async () => {
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCli(cli, args, env);
  const stdio = (): string[] => {
    const { command, args } = stdioServerCommand();
    return ['--stdio', '--', command, ...args];
  };

  it('lists the tools of a stdio server that checks the shared secret (env + handshake)', async () => {
    const r = await run(['tools', '--json', ...stdio()]);
    assert.equal(r.code, 0, r.stderr);
    const names = (JSON.parse(r.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    assert.ok(names.includes('echo') && names.includes('read_note'), names.join(','));
  });

  it('calls a stdio tool with JSON arguments; a tool error exits 4', async () => {
    const ok = await run(['call', 'echo', '--args', '{"text":"hello there"}', ...stdio()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'hello there');
    const toolError = await run(['call', 'read_note', '--args', '{"name":"missing"}', ...stdio()]);
    assert.equal(toolError.code, 4, toolError.stderr);
    assert.match(toolError.stdout, /No note named missing/);
    const unknown = await run(['call', 'no_such_tool', '--args', '{}', '--json', ...stdio()]);
    assert.equal(unknown.code, 4, unknown.stderr);
    assert.equal((JSON.parse(unknown.stdout) as { error: { code: string } }).error.code, 'tool_not_found');
  });

  it('lists and calls tools over HTTP on a loopback server', async () => {
    const list = await run(['tools', httpUrl]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^greet/m);
    const call = await run(['call', httpUrl, 'greet', '--args', '{"name":"\\u001b[31mAda"}', '--json']);
    assert.equal(call.code, 0, call.stderr);
    const raw = JSON.parse(call.stdout) as { content: { text: string }[] };
    assert.equal(raw.content[0]?.text, 'Hello, \u001b[31mAda!');
    const text = await run(['call', httpUrl, 'greet', '--args', '{"name":"\\u001b[31mAda"}']);
    assert.ok(!text.stdout.includes('\u001b'), 'terminal escapes from the server are stripped in text output');
  });

  it('exits 1 on usage errors and 2 on unsafe input, with JSON errors on stdout', async () => {
    const usage = await run(['call', httpUrl]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /--help/);
    const badJson = await run(['call', httpUrl, 'greet', '--args', '{oops', '--json']);
    assert.equal(badJson.code, 1);
    assert.equal((JSON.parse(badJson.stdout) as { error: { code: string } }).error.code, 'usage');
    const insecure = await run(['tools', 'http://mcp.example.com/mcp', '--json']);
    assert.equal(insecure.code, 2);
    assert.equal((JSON.parse(insecure.stdout) as { error: { code: string } }).error.code, 'insecure_url');
  });

  it('exits 3 when the server cannot be reached', async () => {
    const r = await run(['tools', 'http://127.0.0.1:9/mcp', '--timeout', '5000']);
    assert.equal(r.code, 3, r.stderr);
  });

  it('a stdio command that cannot start exits 3 at once, naming the command and the OS error (ENOENT, EACCES)', async () => {
    const missing = await run(['tools', '--stdio', '--', join(dir, 'no-such-server')]);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /no-such-server.*ENOENT/);
    const notExecutable = join(dir, 'not-executable.js');
    await fs.writeFile(notExecutable, 'console.log(1)\n', { mode: 0o644 });
    const denied = await run(['call', 'echo', '--args', '{}', '--json', '--stdio', '--', notExecutable]);
    assert.equal(denied.code, 3, denied.stderr);
    const error = (JSON.parse(denied.stdout) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'connection_failed');
    assert.match(error.message, /not-executable\.js.*EACCES/);
  });

  it('refuses a file store without a key, and never prints the key or a client secret', async () => {
    const storePath = join(dir, 'tokens.store');
    const noKey = await run(['tools', httpUrl, '--store', `file:${storePath}`], { MCP_SECURE_STORE_KEY: '' });
    assert.equal(noKey.code, 2);
    await assert.rejects(fs.stat(storePath), (e: { code?: string }) => e.code === 'ENOENT', 'no store was written');
    const withKey = await run(
      ['tools', httpUrl, '--verbose', '--store', `file:${storePath}`, '--client-secret-env', 'CANARY_SECRET'],
      { MCP_SECURE_STORE_KEY: `${CANARY}-store-key`, CANARY_SECRET: `${CANARY}-client-secret` },
    );
    assert.equal(withKey.code, 0, withKey.stderr);
    assert.ok(!`${withKey.stdout}${withKey.stderr}`.includes(CANARY), 'canary leaked into CLI output');
  });

  it('prints help with the exit codes', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Exit codes:/);
    assert.match(r.stdout, /4 {2}tool error/);
  });
});

/** A plain (no auth) Streamable HTTP MCP server on 127.0.0.1, SDK 1.x, stateless. */
async function startPlainHttpMcpServer(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      void (async () => {
        const mcp = new McpServer({ name: 'cli-test', version: '1.0.0' });
        mcp.registerTool(
          'greet',
          { description: 'Say hello', inputSchema: { name: z.string() } },
          async ({ name }) => ({
            content: [{ type: 'text', text: `Hello, ${name}!` }],
          }),
        );
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: true,
        });
        res.on('close', () => {
          void transport.close();
          void mcp.close();
        });
        await mcp.connect(transport);
        await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}
