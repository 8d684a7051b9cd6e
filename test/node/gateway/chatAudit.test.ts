import { strict as assert } from 'node:assert';
import type { AuditRecord } from '../../../src/core/audit/auditRecord';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { makeContext, tempDir } from '../../support/auditHelpers';

describe('audit records of chat calls (gateway)', () => {
  it("carry caller chat and VS Code's conversation id; other calls have none", async () => {
    const t = tempDir();
    const store = await AuditStore.open({ dir: t.dir });
    try {
      const trail = new AuditTrail({ store, logger: new MemoryLogger() });
      const written: AuditRecord[] = [];
      trail.onDidAppend((b) => written.push(...b.records));
      trail.onToolCallEnd(
        makeContext({ caller: 'chat', conversationId: 'vscode-chat-session://local/abc' }),
        { kind: 'success', resultSize: 1 },
        1,
      );
      trail.onToolCallEnd(makeContext({ caller: 'palette' }), { kind: 'success', resultSize: 1 }, 1);
      await trail.flush();
      assert.deepEqual(
        written.map((r) => [r.who.caller, r.who.conversationId]),
        [
          ['chat', 'vscode-chat-session://local/abc'],
          ['palette', undefined],
        ],
      );
      assert.equal('conversationId' in (written[1]?.who ?? {}), false, 'no empty member in the hashed record');
    } finally {
      await store.close();
      t.cleanup();
    }
  });
});
