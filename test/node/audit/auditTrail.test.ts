import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditIndex } from '../../../src/core/audit/auditIndex';
import { exportAudit } from '../../../src/core/audit/auditExport';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail, type AuditWriteFailure } from '../../../src/core/audit/auditTrail';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { makeContext, tempDir, waitFor } from '../../support/auditHelpers';

/** Everything the trail wrote or exported, as one string. */
function allText(dir: string): string {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('\n');
}

describe('AuditTrail', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let logger: MemoryLogger;
  beforeEach(async () => {
    t = tempDir();
    store = await AuditStore.open({ dir: join(t.dir, 'log') });
    logger = new MemoryLogger();
  });
  afterEach(async () => {
    await store.close();
    t.cleanup();
  });

  it('writes one redacted record per call with the three identities; a canary never reaches the file or exports', async () => {
    const canary = `canary-${randomBytes(18).toString('base64url')}`;
    const trail = new AuditTrail({ store, logger });
    trail.redactor.registerSecret(canary);
    const appended: number[] = [];
    trail.onDidAppend((b) => appended.push(b.records.length));
    trail.onToolCallEnd(
      makeContext({
        arguments: { note: `see ${canary}`, password: canary, headers: { Authorization: `Bearer ${canary}` } },
        agent: { kind: 'shared-secret', fingerprint: 'sha256:abcd' },
        caller: 'panel',
      }),
      { kind: 'tool_error', message: `failed with token=${canary}`, resultSize: 12 },
      12.5,
    );
    trail.onToolCallEnd(
      makeContext({ tool: 'create_ticket' }),
      { kind: 'denied', status: 403, message: 'insufficient_scope', missingScope: 'tickets:write' },
      3,
    );
    trail.onToolCallEnd(
      makeContext({ tool: 'x' }),
      { kind: 'transport_error', code: 'request_timeout', message: 'timed out' },
      30_000,
    );
    await trail.flush();
    assert.equal(
      appended.reduce((a, b) => a + b, 0),
      3,
    );
    const index = await AuditIndex.build(store.dir);
    const page = index.query({}, 0, 10);
    assert.equal(page.total, 3);
    const rec = await index.getRecord(page.rows[2]!.ref);
    assert.deepEqual(rec?.who, {
      human: { iss: 'http://127.0.0.1:2', sub: 'alice-sub', displayName: 'Alice' },
      agent: { kind: 'shared-secret', fingerprint: 'sha256:abcd' },
      caller: 'panel',
    });
    assert.deepEqual(rec?.outcome.kind, 'tool_error');
    assert.deepEqual(rec?.scopes, ['tickets:read']);
    const denied = await index.getRecord(page.rows[1]!.ref);
    assert.deepEqual(denied?.outcome, {
      kind: 'denied',
      status: 403,
      error: 'insufficient_scope',
      missingScope: 'tickets:write',
    });
    const out = join(t.dir, 'export');
    await fsp.mkdir(out);
    assert.equal(await exportAudit(index, {}, 'jsonl', join(out, 'a.jsonl'), trail.redactor), 3);
    assert.equal(await exportAudit(index, {}, 'csv', join(out, 'a.csv'), trail.redactor), 3);
    const everything = `${allText(store.dir)}\n${allText(out)}\n${logger.text()}`;
    assert.ok(!everything.includes(canary), 'the canary leaked');
    assert.ok((await store.verify()).ok);
  });

  it('redacts a runtime secret in repeated names as soon as it is registered, and stops once it is disposed', () => {
    const trail = new AuditTrail({ store, logger });
    const secret = 'plainsecretvalueforthistest'; // letters only: no shape rule catches it, only registration
    const context = (): ReturnType<typeof makeContext> =>
      makeContext({
        tool: `tool_${secret}`,
        server: { ...makeContext().server, name: `Server ${secret}`, target: `http://127.0.0.1:1/${secret}` },
        human: { issuer: 'http://127.0.0.1:2', subject: 'alice-sub', displayName: `Alice ${secret}` },
      });
    const names = (): string[] => {
      const d = trail.toDraft(context(), { kind: 'success', resultSize: 1 }, 1);
      return [d.what.tool, d.what.server.name, d.what.server.target, d.who.human?.displayName ?? ''];
    };
    assert.ok(
      names().every((n) => n.includes(secret)),
      'not a secret yet',
    );
    const registration = trail.redactor.registerSecret(secret);
    assert.deepEqual(
      names().map((n) => n.includes(secret) || !n.includes('[REDACTED]')),
      [false, false, false, false],
    );
    registration.dispose();
    assert.ok(
      names().every((n) => n.includes(secret)),
      'after disposal',
    );
  });

  it('opens a trail over a folder, logging repairs made on open', async () => {
    const dir = join(t.dir, 'other');
    await fsp.mkdir(dir);
    writeFileSync(join(dir, 'audit-00000001.jsonl'), '{"torn":');
    const trail = await AuditTrail.open({ dir, logger });
    assert.match(logger.text(), /incomplete last line of audit-00000001\.jsonl .* moved to quarantine\.jsonl/);
    trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
    await trail.close();
    const v = await (await AuditStore.open({ dir })).verify();
    assert.deepEqual([v.ok, v.records], [true, 1]);
  });

  it('never throws into the call path when the folder becomes unwritable; reports and retries later', async () => {
    const failures: AuditWriteFailure[] = [];
    const trail = new AuditTrail({ store, logger, onWriteError: (f) => failures.push(f) });
    trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    // Make the next segment unwritable (a directory in its place), as a full or read-only disk would.
    const next = join(store.dir, 'audit-00000002.jsonl');
    const seg1 = join(store.dir, 'audit-00000001.jsonl');
    const kept = readFileSync(seg1, 'utf8');
    await fsp.mkdir(next);
    writeFileSync(seg1, kept + 'x'.repeat(17 * 1024 * 1024 - kept.length - 1) + '\n'); // force rotation
    assert.doesNotThrow(() =>
      trail.onToolCallEnd(makeContext({ tool: 'later' }), { kind: 'success', resultSize: 1 }, 1),
    );
    await waitFor(() => failures.length > 0, 10_000, 'write failure report');
    assert.equal(failures[0]!.error.code, 'audit_write_failed');
    assert.equal(trail.pendingCount, 1);
    assert.ok(logger.text().includes('audit write failed'));
    assert.ok(readFileSync(seg1, 'utf8').startsWith(kept), 'what was written is intact');
    await fsp.rmdir(next);
    trail.onToolCallEnd(makeContext({ tool: 'after' }), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    assert.equal(trail.pendingCount, 0);
    const ix = await AuditIndex.build(store.dir);
    assert.deepEqual(ix.query({ text: 'later' }).total, 1);
  });
});

describe('AuditIndex queries and export', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  before(async () => {
    t = tempDir();
    store = await AuditStore.open({ dir: t.dir, segmentMaxBytes: 64 * 1024, maxBatch: 400 });
    const { makeDraft } = await import('../../support/auditHelpers');
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.append(makeDraft(i))));
  });
  after(async () => {
    await store.close();
    t.cleanup();
  });

  it('filters by time range, server, tool, user, outcome and text, newest first', async () => {
    const ix = await AuditIndex.build(t.dir);
    assert.equal(ix.size, 1000);
    const t0 = Date.UTC(2026, 0, 1);
    assert.equal(ix.query({ from: t0 + 100_000, to: t0 + 199_000 }).total, 100);
    assert.equal(ix.query({ server: 'Server 1' }).total, 333);
    assert.equal(ix.query({ server: 'srv1' }).total, 333, 'by id too');
    assert.equal(ix.query({ tool: 'tool_3' }).total, 91);
    assert.equal(ix.query({ user: 'User 2' }).total, 143);
    assert.equal(ix.query({ user: 'user-2' }).total, 143, 'by sub too');
    assert.equal(ix.query({ outcome: 'denied' }).total, 250);
    assert.equal(ix.query({ outcome: ['denied', 'success'], server: 'Server 0' }).total, 167);
    assert.equal(
      ix.query({ text: 'FAILURE 77' }).total,
      9,
      'error text, case-insensitive (77, 770-779 minus successes)',
    );
    assert.equal(ix.query({ text: 'find ticket 999' }).total, 1, 'arguments');
    assert.equal(ix.query({ server: 'nope' }).total, 0);
    const page = ix.query({ tool: 'tool_3' }, 5, 10);
    assert.equal(page.rows.length, 10);
    assert.ok(page.rows[0]!.time > page.rows[9]!.time);
  });

  it('picks up appends incrementally and reports unreadable lines while the rest stays readable', async () => {
    const ix = await AuditIndex.build(t.dir);
    const { makeDraft } = await import('../../support/auditHelpers');
    await store.append(makeDraft(5000, { what: { ...makeDraft(1).what, tool: 'fresh_tool' } }));
    assert.equal(await ix.refresh(), true);
    assert.equal(ix.query({ tool: 'fresh_tool' }).total, 1);
    const first = join(t.dir, 'audit-00000001.jsonl');
    const original = readFileSync(first, 'utf8');
    const ls = original.split('\n');
    ls[2] = '<<garbage>>';
    writeFileSync(first, ls.join('\n'));
    const ix2 = await AuditIndex.build(t.dir);
    assert.deepEqual(ix2.unreadable, [
      { segment: 'audit-00000001.jsonl', line: 3, reason: 'not valid JSON (hand-edited or corrupted)' },
    ]);
    assert.equal(ix2.size, 1000);
    assert.equal(await ix2.getRecord('../../etc/passwd'), undefined);
    writeFileSync(first, original); // the next test counts every seeded record again
  });

  it('exports CSV with RFC 4180 escaping and formula neutralisation', async () => {
    const { makeDraft } = await import('../../support/auditHelpers');
    const d = makeDraft(1);
    await store.append({
      ...d,
      what: { ...d.what, tool: '=HYPERLINK("http://evil")' },
      outcome: { kind: 'tool_error', error: 'line1\n"quoted", comma' },
    });
    const ix = await AuditIndex.build(t.dir);
    const out = join(t.dir, 'x.csv');
    assert.equal(
      await exportAudit(
        ix,
        { tool: '=HYPERLINK("http://evil")' },
        'csv',
        out,
        new (await import('../../../src/core/common/redaction')).Redactor(),
      ),
      1,
    );
    const csv = readFileSync(out, 'utf8');
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil"")"`), csv);
    assert.ok(csv.includes('"line1\n""quoted"", comma"'));
    assert.ok(csv.startsWith('time,id,durationMs,'));
    const jsonl = join(t.dir, 'x.jsonl');
    const denied = ix.query({ outcome: 'denied' }).total;
    assert.equal(denied, 250, 'every fourth of the 1,000 seeded records (fresh_tool is a success)');
    assert.equal(
      await exportAudit(
        ix,
        { outcome: 'denied' },
        'jsonl',
        jsonl,
        new (await import('../../../src/core/common/redaction')).Redactor(),
      ),
      denied,
    );
    assert.equal(readFileSync(jsonl, 'utf8').trim().split('\n').length, denied);
  });
});
