/**
 * Child process that runs the demo servers (test/fixtures/demoServers.ts: authorization server, HTTP MCP
 * server, stdio MCP server command) for the harness, which runs on plain Node and cannot import the TS
 * fixtures itself. Prints one line `MCP_SECURE_DEMO_READY <json>` once listening; closes everything and
 * exits when its stdin ends (the parent died or let go) or on SIGTERM/SIGINT — no stray servers.
 * Usage: node --import tsx scripts/harness/demoServersChild.ts [--auth-port N] [--http-port N]
 */
import { demoEnvironment, startDemoServers } from '../../test/fixtures/demoServers';

function portArg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  return raw ? Number(raw) : undefined;
}

async function main(): Promise<void> {
  const servers = await startDemoServers({ authPort: portArg('--auth-port'), httpPort: portArg('--http-port') });
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
