/**
 * Child process that runs the demo servers (test/fixtures/demoServers.ts: authorization server, HTTP MCP
 * server, stdio MCP server command) for the harness, which runs on plain Node and cannot import the TS
 * fixtures itself. Prints one line `MCP_SECURE_DEMO_READY <json>` once listening; closes everything and
 * exits when its stdin ends (the parent died or let go) or on SIGTERM/SIGINT — no stray servers.
 * Usage: node --import tsx scripts/harness/demoServersChild.ts [--auth-port N] [--http-port N]
 */
import { parseArgs } from 'node:util';
import { demoEnvironment, startDemoServers } from '../../test/fixtures/demoServers';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'auth-port': { type: 'string' }, 'http-port': { type: 'string' } } });
  const port = (raw: string | undefined): number | undefined => (raw ? Number(raw) : undefined);
  const servers = await startDemoServers({ authPort: port(values['auth-port']), httpPort: port(values['http-port']) });
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= servers.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`demo servers: close failed: ${String(err)}\n`);
        process.exit(1);
      },
    ));
  process.stdin.on('end', () => void shutdown());
  process.stdin.on('error', () => void shutdown());
  process.stdin.resume();
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  const { issuer, httpMcpUrl, httpResource, stdio, users } = servers;
  const env = demoEnvironment(servers);
  process.stdout.write(
    `MCP_SECURE_DEMO_READY ${JSON.stringify({ issuer, httpMcpUrl, httpResource, stdio, users, env })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `demo servers failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
