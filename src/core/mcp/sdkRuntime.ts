/**
 * Everything of the connection layer that needs the MCP SDK at run time, loaded by the
 * {@link ConnectionManager} on its first connect (`import('./sdkRuntime')`): the SDK is most of the
 * extension bundle's start-up cost, and activation connects to nothing. esbuild keeps a dynamically
 * imported module lazy (evaluated on first import), as long as no eagerly loaded module imports the
 * SDK itself; `test/node/mcp/lazySdk.test.ts` checks that.
 */
export { Client } from '@modelcontextprotocol/client';
export { connectHttp } from './httpConnector';
export { connectStdio } from './stdioConnector';
export { installElicitationHandler } from './elicitation';
export { McpConnection } from './mcpConnection';
