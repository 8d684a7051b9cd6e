import { strict as assert } from 'node:assert';
import { Redactor } from '../../../src/core/common/redaction';
import { StderrLogger } from '../../../src/cli/stderrLogger';

describe('cli redaction', () => {
  it('removes registered secrets and secret-shaped values, keeps ordinary text', () => {
    const r = new Redactor();
    r.registerSecret('s3cr3t-client-secret-value');
    const text = r.redactText(
      [
        'client_secret=s3cr3t-client-secret-value',
        'Authorization: Bearer abcdefghijklmnop',
        'token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
        'http://127.0.0.1:5555/callback?code=AUTHCODE123&state=xyz',
        '{"refresh_token":"rt-1234567890"}',
        'error code insecure_url at https://mcp.example/mcp',
      ].join('\n'),
    );
    for (const leaked of [
      's3cr3t-client-secret-value',
      'abcdefghijklmnop',
      'eyJhbGciOiJFUzI1NiJ9',
      'AUTHCODE123',
      'rt-1234567890',
    ]) {
      assert.ok(!text.includes(leaked), `${leaked} leaked: ${text}`);
    }
    assert.ok(text.includes('state=xyz'));
    assert.ok(text.includes('error code insecure_url at https://mcp.example/mcp'));
  });

  it('the logger filters by level, tags components and redacts every line', () => {
    const lines: string[] = [];
    const r = new Redactor();
    r.registerSecret('canary-token-0123456789');
    const log = new StderrLogger(r, 'info', '', (l) => lines.push(l)).child('oauth');
    log.debug('hidden');
    log.info('got token', { access_token: 'canary-token-0123456789' });
    log.error(new Error('failed with canary-token-0123456789'));
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => !l.includes('canary-token-0123456789')));
    assert.ok(lines[0]?.includes('[oauth]'));
  });
});
