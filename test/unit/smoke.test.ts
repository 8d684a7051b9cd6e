import { strict as assert } from 'node:assert';
import * as oauth from 'openid-client';
import { McpSecureError, isMcpSecureError } from '../../src/core/errors';

describe('toolchain', () => {
  it('loads the ESM-only openid-client from TypeScript tests', () => {
    assert.equal(typeof oauth.discovery, 'function');
  });
  it('typed errors carry a stable code', () => {
    const e = new McpSecureError('issuer_mismatch', 'x');
    assert.ok(isMcpSecureError(e, 'issuer_mismatch'));
    assert.ok(!isMcpSecureError(e, 'state_mismatch'));
  });
});
