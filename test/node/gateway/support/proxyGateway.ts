import type { McpSecureError } from '../../../../src/core/errors';
import { chatAliases } from '../../../../src/core/gateway/bridgeLaunch';
import { GatewayListener } from '../../../../src/core/gateway/gatewayListener';
import { ProxySession, type ToolGate } from '../../../../src/core/gateway/proxySession';
import { UpstreamEvents } from '../../../../src/core/gateway/upstreamEvents';
import type { ConnectionManager } from '../../../../src/core/mcp/connectionManager';
import type { ServerDefinition } from '../../../../src/core/mcp/serverDefinition';
import type { Logger } from '../../../../src/core/ports';
import type { ToolCallObserver } from '../../../../src/core/toolCallObserver';

/**
 * The gateway wired as the extension wires it: a listener that accepts a bridge for each server in
 * `servers()` and serves it from a ProxySession (short alias from `chatAliases`) over `manager`'s
 * connection, telling `audit` about every tool call.
 */
export function startProxyGateway(options: {
  readonly secret: string;
  readonly logger: Logger;
  readonly manager: ConnectionManager;
  readonly audit: ToolCallObserver;
  readonly servers: () => readonly ServerDefinition[];
  readonly gate?: ToolGate;
  /** An error to fail the upstream connection with (sign-in refused, server unreachable), when it returns one. */
  readonly upstreamFailure?: () => McpSecureError | undefined;
}): Promise<GatewayListener> {
  const { logger, manager, servers } = options;
  const aliases = chatAliases(servers().map((d) => d.id));
  const events = new UpstreamEvents();
  return GatewayListener.start({
    secret: options.secret,
    logger,
    accepts: (id) => servers().some((d) => d.id === id),
    onSession: (channel) => {
      const def = servers().find((d) => d.id === channel.serverId) as ServerDefinition;
      new ProxySession({
        channel,
        alias: aliases.get(def.id) ?? def.id,
        version: '9.9.9',
        events,
        requestTimeoutMs: 10_000,
        logger,
        upstream: async (signal) => {
          const failure = options.upstreamFailure?.();
          if (failure) throw failure;
          return manager.get(def.id) ?? manager.connect(def, { signal });
        },
        explain: (e) => `Fix ${def.name}: ${e.code}`,
        gate: options.gate,
        definition: def,
        observers: [options.audit],
      });
    },
  });
}
