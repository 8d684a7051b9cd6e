// User settings that preconfigure the demo servers for the extension (keys from package.json
// `contributes.configuration`, owned by the extension: `mcpSecure.servers`).
export const DEMO_HTTP_SERVER = { id: 'demo-tickets', name: 'Demo Tickets (HTTP)' };
export const DEMO_STDIO_SERVER = { id: 'demo-stdio', name: 'Demo Notes (stdio)' };

/** `mcpSecure.servers` entries for the running demo servers (see demoServers.mjs). */
/** @param {import('./demoServers.mjs').DemoServers} demo */
export function demoServerSettings(demo) {
  return {
    'mcpSecure.servers': [
      { ...DEMO_HTTP_SERVER, transport: 'http', url: demo.httpMcpUrl },
      {
        ...DEMO_STDIO_SERVER,
        transport: 'stdio',
        command: demo.stdio.command,
        args: demo.stdio.args,
        // The demo server checks the secret twice, as the seed's servers do: in its environment at
        // start-up and in the initialize handshake (clientInfo.secret) — mode 'both'.
        secret: { mode: 'both', envVar: demo.stdio.secretEnvVar },
      },
    ],
  };
}
