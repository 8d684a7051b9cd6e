import { strict as assert } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { BRIDGE_OK, helloLine, newGatewaySecret } from '../../../src/core/gateway/bridgeHandshake';
import { GatewayListener, PARSE_ERROR } from '../../../src/core/gateway/gatewayListener';
import type { JsonRpcChannel } from '../../../src/core/gateway/jsonRpcChannel';
import { MemoryLogger } from '../../../src/core/memoryPorts';

/** Connects, writes `lines`, and resolves with everything received once the gateway closes or `until` matches. */
function talk(
  endpoint: string,
  lines: string[],
  until?: (text: string) => boolean,
): Promise<{ text: string; closed: boolean; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.createConnection({ path: endpoint }, () => socket.write(lines.map((l) => `${l}\n`).join('')));
    socket.on('data', (d) => {
      text += d.toString('utf8');
      if (until?.(text)) resolve({ text, closed: false, socket });
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closed: true, socket }));
  });
}

describe('GatewayListener (real Unix socket)', function () {
  if (process.platform === 'win32') return;
  const secret = newGatewaySecret();
  let logger: MemoryLogger;
  let listener: GatewayListener;
  let sessions: JsonRpcChannel[];

  beforeEach(async () => {
    logger = new MemoryLogger();
    sessions = [];
    listener = await GatewayListener.start({
      secret,
      logger,
      accepts: (id) => id === 'tickets',
      onSession: (c) => sessions.push(c),
    });
  });
  afterEach(async () => {
    await listener.close();
    assert.ok(!logger.text().includes(secret), 'the gateway secret never reaches the log');
  });

  it('listens on a 0600 socket inside a fresh 0700 folder, removed on close', async () => {
    assert.ok(listener.dir);
    assert.equal(statSync(listener.dir).mode & 0o777, 0o700);
    assert.ok(statSync(listener.endpoint).isSocket());
    assert.equal(statSync(listener.endpoint).mode & 0o777, 0o600);
    await listener.close();
    assert.equal(existsSync(listener.dir), false);
  });

  it('a wrong or missing secret closes the connection without an answer, and is logged', async () => {
    const wrong = await talk(listener.endpoint, [
      helloLine('tickets', newGatewaySecret()),
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    ]);
    assert.deepEqual([wrong.text, wrong.closed], ['', true]);
    const missing = await talk(listener.endpoint, ['{"jsonrpc":"2.0","id":1,"method":"ping"}']);
    assert.deepEqual([missing.text, missing.closed], ['', true]);
    assert.equal(sessions.length, 0);
    assert.match(logger.text(), /bridge connection refused \(wrong or missing secret\)/);
    assert.match(logger.text(), /bridge connection refused \(malformed hello\)/);
  });

  it('a right secret for a server that is not offered is refused too', async () => {
    const r = await talk(listener.endpoint, [helloLine('other', secret)]);
    assert.deepEqual([r.text, r.closed], ['', true]);
    assert.match(logger.text(), /unknown server/);
  });

  it('a valid hello gets OK, then lines flow both ways as JSON-RPC messages (also those sent with the hello)', async () => {
    const got: unknown[] = [];
    const done = talk(
      listener.endpoint,
      [helloLine('tickets', secret, 77), '{"jsonrpc":"2.0","id":1,"method":"ping"}', 'not json'],
      (t) => t.includes('"id":1,'),
    );
    await waitUntil(() => sessions.length === 1);
    const channel = sessions[0] as JsonRpcChannel;
    assert.equal(channel.serverId, 'tickets');
    assert.equal(channel.peerPid, 77);
    channel.onMessage((m) => got.push(m));
    await waitUntil(() => got.length === 2);
    assert.deepEqual(got, [{ jsonrpc: '2.0', id: 1, method: 'ping' }, PARSE_ERROR]);
    channel.send({ jsonrpc: '2.0', id: 1, result: {} });
    const { text, socket } = await done;
    assert.equal(text, `${BRIDGE_OK}\n{"jsonrpc":"2.0","id":1,"result":{}}\n`);
    const closed = new Promise<void>((r) => channel.onClose(r));
    socket.end();
    await closed;
  });
});

async function waitUntil(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(probe(), 'condition not reached');
}
