import { strict as assert } from 'node:assert';
import { BRIDGE_OK, checkHello, helloLine, newGatewaySecret } from '../../../src/core/gateway/bridgeHandshake';
import { LineDecoder } from '../../../src/core/gateway/lineDecoder';
import { isMcpSecureError } from '../../../src/core/errors';

describe('gateway bridge protocol', () => {
  const secret = newGatewaySecret();

  it('mints 256-bit secrets from the CSPRNG', () => {
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.notEqual(newGatewaySecret(), secret);
  });

  it('accepts a hello with the right secret and names the server and pid', () => {
    assert.deepEqual(checkHello(helloLine('tickets', secret, 4242), secret), {
      ok: true,
      server: 'tickets',
      pid: 4242,
    });
    assert.deepEqual(checkHello(helloLine('tickets', secret), secret), { ok: true, server: 'tickets' });
  });

  it('refuses a wrong, empty, missing or differently long secret, and malformed hellos', () => {
    assert.deepEqual(checkHello(helloLine('tickets', newGatewaySecret()), secret), { ok: false, reason: 'secret' });
    assert.deepEqual(checkHello(helloLine('tickets', secret.slice(0, 10)), secret), { ok: false, reason: 'secret' });
    assert.deepEqual(checkHello(helloLine('tickets', ''), secret), { ok: false, reason: 'secret' });
    assert.deepEqual(checkHello(helloLine('tickets', ''), ''), { ok: false, reason: 'secret' });
    assert.deepEqual(checkHello(JSON.stringify({ mcpSecureBridge: 1, server: 'tickets' }), secret), {
      ok: false,
      reason: 'secret',
    });
    for (const bad of [
      '',
      'hello',
      '[]',
      'null',
      JSON.stringify({ mcpSecureBridge: 2, server: 'x', secret }),
      JSON.stringify({ mcpSecureBridge: 1, secret }),
      JSON.stringify({ mcpSecureBridge: 1, server: 'x'.repeat(65), secret }),
    ]) {
      assert.deepEqual(checkHello(bad, secret), { ok: false, reason: 'malformed' }, bad);
    }
  });

  it('ignores a pid that is not a positive integer', () => {
    assert.deepEqual(checkHello(JSON.stringify({ mcpSecureBridge: 1, server: 's', secret, pid: -1 }), secret), {
      ok: true,
      server: 's',
    });
    assert.deepEqual(checkHello(JSON.stringify({ mcpSecureBridge: 1, server: 's', secret, pid: '12' }), secret), {
      ok: true,
      server: 's',
    });
  });

  it('the OK line is one line of JSON', () => {
    assert.deepEqual(JSON.parse(BRIDGE_OK), { mcpSecureBridge: 1, ok: true });
  });

  describe('LineDecoder (newline-delimited JSON-RPC)', () => {
    it('joins messages split across chunks, even inside a UTF-8 sequence, and drops CR and empty lines', () => {
      const d = new LineDecoder();
      const text = Buffer.from('{"a":"é€"}\r\n\n{"b":2}\n{"c"', 'utf8');
      const cut = text.indexOf(0xe2) + 1; // inside "€"
      assert.deepEqual(d.push(text.subarray(0, cut)), []);
      assert.deepEqual(d.push(text.subarray(cut)), ['{"a":"é€"}', '{"b":2}']);
      assert.deepEqual(d.push(Buffer.from(':3}\n')), ['{"c":3}']);
    });

    it('refuses a line longer than the limit instead of buffering without bound', () => {
      const d = new LineDecoder(16);
      d.push(Buffer.from('0123456789'));
      assert.throws(
        () => d.push(Buffer.from('0123456789')),
        (e) => isMcpSecureError(e, 'protocol_error'),
      );
      assert.deepEqual(d.push(Buffer.from('ok\n')), ['ok'], 'the decoder starts afresh');
    });
  });
});
