/**
 * The stdio bridge VS Code starts for each MCP Secure gateway definition (dist/bridge.js, run by the
 * editor's own runtime with ELECTRON_RUN_AS_NODE=1). It connects to the extension host's gateway socket
 * (or named pipe), proves itself with the per-activation secret from its environment, waits for the
 * gateway's OK and then copies bytes both ways: stdin → socket, socket → stdout. It never parses MCP.
 * Nothing here may depend on `vscode` or on the extension's bundle: it is a separate, tiny program.
 */
import * as net from 'node:net';
import { BRIDGE_OK, BridgeEnv, helloLine } from '../core/gateway/bridgeHandshake';

function fail(message: string): never {
  process.stderr.write(`mcp-secure bridge: ${message}\n`);
  process.exit(1);
}

function main(): void {
  const endpoint = process.env[BridgeEnv.socket];
  const secret = process.env[BridgeEnv.secret];
  const server = process.env[BridgeEnv.server];
  // Children of this process (none today) must not inherit the secret.
  delete process.env[BridgeEnv.secret];
  if (!endpoint || !secret || !server)
    fail('started without its gateway environment; start it from VS Code (MCP: List Servers).');

  // Buffer stdin until the gateway has accepted the hello, then pipe it as is.
  process.stdin.pause();
  const socket = net.createConnection({ path: endpoint });
  let accepted = false;
  let head = Buffer.alloc(0);
  socket.on('error', (err) =>
    fail(
      `cannot reach the MCP Secure gateway (${(err as NodeJS.ErrnoException).code ?? err.name}); is the extension running?`,
    ),
  );
  socket.on('close', () => {
    if (!accepted)
      fail('the MCP Secure gateway refused this bridge (the extension may have restarted: restart the server).');
    process.exit(0);
  });
  socket.on('connect', () => socket.write(`${helloLine(server, secret, process.pid)}\n`));
  const onHead = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(0x0a);
    if (nl === -1) return;
    if (head.subarray(0, nl).toString('utf8') !== BRIDGE_OK) fail('unexpected answer from the gateway.');
    accepted = true;
    socket.off('data', onHead);
    const rest = head.subarray(nl + 1);
    if (rest.length) process.stdout.write(rest);
    socket.pipe(process.stdout);
    process.stdin.pipe(socket);
    process.stdin.resume();
  };
  socket.on('data', onHead);
  process.stdin.on('end', () => socket.end());
}

main();
