import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { OtlpForwarder, parseCollectorUrl } from '../../../src/core/audit/otlpForwarder';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { makeDraft, tempDir, waitFor } from './helpers';

interface Received { headers: Record<string, string | string[] | undefined>; body: { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: Record<string, unknown> }[]; timeUnixNano: string; severityText: string }[] }[] }[] } }

/** A real OTLP/HTTP receiver on 127.0.0.1 that fails the first `failures` requests with 503. */
async function startReceiver(failures: number): Promise<{ url: string; received: Received[]; attempts: () => number; close(): Promise<void> }> {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => { data += c.toString(); });
    req.on('end', () => {
      attempts++;
      if (req.method !== 'POST' || req.url !== '/v1/logs') { res.writeHead(404).end(); return; }
      if (attempts <= failures) { res.writeHead(503).end(); return; }
      received.push({ headers: req.headers, body: JSON.parse(data) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`,
    received,
    attempts: () => attempts,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('OtlpForwarder', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let forwarder: OtlpForwarder | undefined;
  beforeEach(async () => { t = tempDir(); store = await AuditStore.open({ dir: t.dir }); });
  afterEach(async () => { forwarder?.dispose(); await receiver?.close(); await store.close(); t.cleanup(); });

  it('ships appended records as OTLP/HTTP JSON logs in batches, retrying 503 with backoff', async () => {
    receiver = await startReceiver(2);
    forwarder = new OtlpForwarder({ url: receiver.url, logger: new MemoryLogger(), batchSize: 5, flushIntervalMs: 10, retryBaseMs: 5, headers: { authorization: 'Bearer collector-key' } });
    const sub = forwarder.attach(store.onDidAppend);
    for (let i = 0; i < 12; i++) await store.append(makeDraft(i));
    await waitFor(() => forwarder!.stats.sent === 12, 10_000, 'all records forwarded');
    sub.dispose();
    assert.ok(receiver.attempts() >= 3, 'retried after the 503s');
    const records = receiver.received.flatMap((r) => r.body.resourceLogs[0]!.scopeLogs[0]!.logRecords);
    assert.equal(records.length, 12);
    assert.ok(receiver.received.every((r) => r.headers.authorization === 'Bearer collector-key' && r.headers['content-type'] === 'application/json'));
    const first = records[0]!;
    const attrs = Object.fromEntries(first.attributes.map((a) => [a.key, a.value]));
    assert.deepEqual(attrs['mcp.tool.name'], { stringValue: 'tool_0' });
    assert.deepEqual(attrs['mcp.outcome'], { stringValue: 'success' });
    assert.ok(attrs['audit.record.hash']);
    assert.equal(first.timeUnixNano, `${Date.UTC(2026, 0, 1)}000000`);
    assert.equal(forwarder.stats.dropped, 0);
  });

  it('drops a batch the collector rejects (4xx) without blocking later ones', async () => {
    receiver = await startReceiver(0);
    forwarder = new OtlpForwarder({ url: receiver.url.replace('/v1/logs', '/wrong'), logger: new MemoryLogger(), batchSize: 2, retryBaseMs: 1 });
    forwarder.enqueue([{ ...makeDraft(1), v: 1, prev: '0'.repeat(64), hash: '1'.repeat(64) }]);
    await forwarder.flush();
    assert.deepEqual(forwarder.stats, { sent: 0, dropped: 1, failedBatches: 1 });
  });

  it('gives up after the retry budget when the collector is down, and never throws', async () => {
    receiver = await startReceiver(1000);
    forwarder = new OtlpForwarder({ url: receiver.url, logger: new MemoryLogger(), maxRetries: 2, retryBaseMs: 1 });
    forwarder.enqueue([{ ...makeDraft(1), v: 1, prev: '0'.repeat(64), hash: '1'.repeat(64) }]);
    await forwarder.flush();
    assert.equal(receiver.attempts(), 3);
    assert.equal(forwarder.stats.failedBatches, 1);
  });

  it('accepts https, and http only on loopback', () => {
    assert.equal(parseCollectorUrl('https://otel.example.com/v1/logs').host, 'otel.example.com');
    assert.throws(() => parseCollectorUrl('http://otel.example.com/v1/logs'), (e) => isMcpSecureError(e, 'insecure_url'));
    assert.throws(() => parseCollectorUrl('https://u:p@otel.example.com/v1/logs'), (e) => isMcpSecureError(e, 'invalid_url'));
    assert.throws(() => parseCollectorUrl('not a url'), (e) => isMcpSecureError(e, 'invalid_url'));
  });
});
