import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { OtlpForwarder, parseCollectorUrl, parseOtlpHeaders } from '../../../src/core/audit/otlpForwarder';
import { isMcpSecureError } from '../../../src/core/errors';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import {
  AuditExportController,
  OTLP_HEADERS_KEY,
  type AuditExportStatus,
} from '../../../src/vscode/audit/auditExportController';
import { makeContext, makeDraft, tempDir, waitFor } from '../../support/auditHelpers';

interface Received {
  raw: string;
  headers: Record<string, string | string[] | undefined>;
  body: {
    resourceLogs: {
      scopeLogs: {
        logRecords: {
          attributes: { key: string; value: Record<string, unknown> }[];
          timeUnixNano: string;
          severityText: string;
        }[];
      }[];
    }[];
  };
}

/** A real OTLP/HTTP receiver on 127.0.0.1 that fails the first `failures` requests with 503. */
async function startReceiver(
  failures: number,
): Promise<{ url: string; received: Received[]; attempts: () => number; close(): Promise<void> }> {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => {
      data += c.toString();
    });
    req.on('end', () => {
      attempts++;
      if (req.method !== 'POST' || req.url !== '/v1/logs') {
        res.writeHead(404).end();
        return;
      }
      if (attempts <= failures) {
        res.writeHead(503).end();
        return;
      }
      received.push({ raw: data, headers: req.headers, body: JSON.parse(data) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`,
    received,
    attempts: () => attempts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('OtlpForwarder', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let forwarder: OtlpForwarder | undefined;
  beforeEach(async () => {
    t = tempDir();
    store = await AuditStore.open({ dir: t.dir });
  });
  afterEach(async () => {
    forwarder?.dispose();
    await receiver?.close();
    await store.close();
    t.cleanup();
  });

  it('ships appended records as OTLP/HTTP JSON logs in batches, retrying 503 with backoff', async () => {
    receiver = await startReceiver(2);
    forwarder = new OtlpForwarder({
      url: receiver.url,
      logger: new MemoryLogger(),
      batchSize: 5,
      flushIntervalMs: 10,
      retryBaseMs: 5,
      headers: { authorization: 'Bearer collector-key' },
    });
    const sub = forwarder.attach(store.onDidAppend);
    for (let i = 0; i < 12; i++) await store.append(makeDraft(i));
    await waitFor(() => forwarder!.stats.sent === 12, 10_000, 'all records forwarded');
    sub.dispose();
    assert.ok(receiver.attempts() >= 3, 'retried after the 503s');
    const records = receiver.received.flatMap((r) => r.body.resourceLogs[0]!.scopeLogs[0]!.logRecords);
    assert.equal(records.length, 12);
    assert.ok(
      receiver.received.every(
        (r) => r.headers.authorization === 'Bearer collector-key' && r.headers['content-type'] === 'application/json',
      ),
    );
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
    forwarder = new OtlpForwarder({
      url: receiver.url.replace('/v1/logs', '/wrong'),
      logger: new MemoryLogger(),
      batchSize: 2,
      retryBaseMs: 1,
    });
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
    assert.throws(
      () => parseCollectorUrl('http://otel.example.com/v1/logs'),
      (e) => isMcpSecureError(e, 'insecure_url'),
    );
    assert.throws(
      () => parseCollectorUrl('https://u:p@otel.example.com/v1/logs'),
      (e) => isMcpSecureError(e, 'insecure_url'),
    );
    assert.throws(
      () => parseCollectorUrl('not a url'),
      (e) => isMcpSecureError(e, 'invalid_url'),
    );
  });
});

/** Reads the status afresh (assertions on an earlier read must not narrow a later one). */
const statusOf = (c: AuditExportController): AuditExportStatus => c.status;

describe('audit export wiring (setting + headers from secret storage → real collector)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let controller: AuditExportController | undefined;
  beforeEach(async () => {
    t = tempDir();
    store = await AuditStore.open({ dir: t.dir });
  });
  afterEach(async () => {
    controller?.dispose();
    await receiver?.close();
    await store.close();
    t.cleanup();
  });

  it('forwards each record with the stored headers, no secret in the payload, and reports ok / failing / pending', async () => {
    receiver = await startReceiver(0);
    const canary = `canary-${randomBytes(18).toString('base64url')}`;
    const collectorKey = `ck-${randomBytes(18).toString('base64url')}`;
    const secrets = new MemorySecretStore();
    const logger = new MemoryLogger();
    const trail = new AuditTrail({ store, logger });
    trail.redactor.registerSecret(canary);
    let endpoint = receiver.url;
    controller = new AuditExportController({
      trail,
      secrets,
      logger,
      endpoint: () => endpoint,
      forwarder: { flushIntervalMs: 5, retryBaseMs: 5, maxRetries: 1 },
    });
    await controller.setHeaders(`Authorization=Bearer%20${collectorKey}, X-Team=audit`);
    assert.equal(await secrets.get(OTLP_HEADERS_KEY), `Authorization=Bearer%20${collectorKey}, X-Team=audit`);
    assert.equal(controller.status.state, 'idle');
    trail.onToolCallEnd(
      makeContext({ arguments: { password: canary, note: `uses ${canary}` } }),
      { kind: 'success', resultSize: 3 },
      2,
    );
    await waitFor(() => receiver!.received.length === 1, 10_000, 'the record at the collector');
    await waitFor(() => controller!.status.state === 'ok', 10_000, 'status ok');
    const got = receiver.received[0]!;
    assert.equal(got.headers.authorization, `Bearer ${collectorKey}`);
    assert.equal(got.headers['x-team'], 'audit');
    const attrs = Object.fromEntries(
      got.body.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes.map((a) => [a.key, a.value]),
    );
    assert.deepEqual(attrs['mcp.tool.name'], { stringValue: 'list_tickets' });
    assert.ok(!got.raw.includes(canary), 'the canary reached the collector');
    assert.ok(!got.raw.includes(collectorKey), 'the collector credential is in the payload');
    const ok = statusOf(controller);
    assert.ok(ok.state === 'ok' && ok.pending === 0 && ok.sent === 1 && ok.lastOkAt !== undefined);

    await receiver.close();
    receiver = undefined;
    trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
    await waitFor(() => controller!.status.state === 'failing', 10_000, 'status failing');
    const failing = statusOf(controller);
    assert.ok(
      failing.state === 'failing' && /^the collector is unreachable \(ECONNREFUSED\)$/.test(failing.lastError ?? ''),
      JSON.stringify(failing),
    );
    assert.ok(!logger.text().includes(collectorKey) && !logger.text().includes(canary));

    endpoint = '';
    await controller.apply();
    assert.equal(controller.status.state, 'off');
    endpoint = 'http://collector.example/v1/logs';
    await controller.apply();
    const bad = statusOf(controller);
    assert.ok(bad.state === 'misconfigured' && /https/.test(bad.error));
  });

  it('validates headers before storing them and never echoes their values', async () => {
    const controller2 = new AuditExportController({
      trail: new AuditTrail({ store, logger: new MemoryLogger() }),
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      endpoint: () => undefined,
    });
    await assert.rejects(
      controller2.setHeaders('Authorization Bearer s3cret-value'),
      (e) => isMcpSecureError(e, 'invalid_header') && !(e as Error).message.includes('s3cret'),
    );
    assert.throws(
      () => parseOtlpHeaders('x-key=line%0Abreak'),
      (e) => isMcpSecureError(e, 'invalid_header'),
    );
    assert.throws(
      () => parseOtlpHeaders('content-type=text/plain'),
      (e) => isMcpSecureError(e, 'invalid_header'),
    );
    assert.deepEqual(parseOtlpHeaders('a=1,b=x%3Dy'), { a: '1', b: 'x=y' });
    controller2.dispose();
  });
});
