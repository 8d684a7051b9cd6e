import { strict as assert } from 'node:assert';
import { ConnectionManager } from '../../../../src/core/mcp/connectionManager';
import type { MemoryLogger } from '../../../../src/core/memoryPorts';
import type { RequestAuthorizer } from '../../../../src/core/requestAuthorizer';

/** A ConnectionManager for HTTP tests: every server gets `authorizer`; stdio is never used. */
export function httpManager(logger: MemoryLogger, authorizer: RequestAuthorizer): ConnectionManager {
  return new ConnectionManager({
    logger,
    authorizerFor: () => authorizer,
    stdioSecretFor: async () => 'x',
    requestTimeoutMs: 10_000,
  });
}

/** Closes every connection, then checks that `token` never reached the log. */
export async function disposeWithoutLeak(
  manager: ConnectionManager,
  logger: MemoryLogger,
  token: string,
): Promise<void> {
  await manager.disposeAll();
  assert.ok(!logger.text().includes(token));
}
