import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { anonymousAuthorizer } from '../../../src/core/requestAuthorizer';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import { parseServerDefinition, type StdioServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret } from '../../../src/core/mcp/stdioSecret';
import { modernStdioServerCommand, stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { tempDir } from '../../support/auditHelpers';

interface ServerEvent {
  event: 'call' | 'cancelled';
  requestId?: string | number;
  progressToken?: string | number | null;
  reason?: string;
}

/** The fixture's event log, read until `done` holds (the server writes it as messages arrive). */
async function eventsUntil(file: string, done: (events: ServerEvent[]) => boolean): Promise<ServerEvent[]> {
  for (let i = 0; ; i++) {
    const events = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as ServerEvent)
      : [];
    if (done(events) || i === 200) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const WIRES = [
  { name: '2025-11-25 (SDK 1.x seed-style server)', command: stdioServerCommand, protocol: undefined },
  { name: '2026-07-28 (SDK v2 modern-only server)', command: modernStdioServerCommand, protocol: '2026-07-28' },
] as const;

describe('progress and cancellation of tools/call (real stdio servers)', () => {
  for (const wire of WIRES) {
    it(`${wire.name}: sends a progress token, reports progress, and a cancel sends notifications/cancelled; one cancelled record`, async () => {
      const t = tempDir('progress-');
      const eventLog = join(t.dir, 'events.jsonl');
      const records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
      const observer: ToolCallObserver = {
        onToolCallEnd: (context, outcome) => void records.push({ context, outcome }),
      };
      const secret = generateSharedSecret();
      const logger = new MemoryLogger();
      const manager = new ConnectionManager({
        logger,
        authorizerFor: () => anonymousAuthorizer,
        stdioSecretFor: async () => secret,
        observers: [observer],
        requestTimeoutMs: 10_000,
      });
      try {
        const { command, args } = wire.command();
        const def = parseServerDefinition({
          id: 'progress',
          transport: 'stdio',
          command,
          args,
          env: { MCP_FIXTURE_PROGRESS_TOOLS: '1', MCP_FIXTURE_EVENT_LOG: eventLog },
          ...(wire.protocol ? { protocol: wire.protocol } : {}),
        }) as StdioServerDefinition;
        const conn = await manager.connect(def);
        const updates: { progress: number; total?: number; message?: string }[] = [];
        const controller = new AbortController();
        await assert.rejects(
          conn.callTool(
            'wait_for_cancel',
            { steps: 2 },
            {
              caller: 'test',
              signal: controller.signal,
              onProgress: (p) => {
                updates.push(p);
                if (updates.length === 2) controller.abort();
              },
            },
          ),
          (e) => isMcpSecureError(e, 'cancelled'),
        );
        assert.deepEqual(updates, [
          { progress: 1, total: 4, message: 'step 1 of 4' },
          { progress: 2, total: 4, message: 'step 2 of 4' },
        ]);
        const events = await eventsUntil(eventLog, (es) => es.some((e) => e.event === 'cancelled'));
        const call = events.find((e) => e.event === 'call');
        const cancelled = events.find((e) => e.event === 'cancelled');
        assert.ok(call && call.progressToken !== null && call.progressToken !== undefined, 'the server got a token');
        assert.ok(cancelled, `the server received notifications/cancelled: ${JSON.stringify(events)}`);
        assert.equal(cancelled.requestId, call.requestId, 'for that request');
        assert.equal(records.length, 1, 'the call is reported exactly once');
        assert.equal(records[0]?.context.tool, 'wait_for_cancel');
        assert.deepEqual(records[0]?.outcome, {
          kind: 'transport_error',
          code: 'cancelled',
          message: 'The request was cancelled.',
        });
        // The connection stays usable after a cancelled call.
        const echoed = await conn.callTool('echo', { text: 'still here' }, { caller: 'test' });
        assert.equal(echoed.isError, false);
        assert.ok(!logger.text().includes(secret));
      } finally {
        await manager.disposeAll();
        t.cleanup();
      }
    });
  }
});
