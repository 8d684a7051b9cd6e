import { strict as assert } from 'node:assert';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { AccessDeniedError } from '../../../src/core/mcp/accessDeniedError';
import { createAuthorizedFetch } from '../../../src/core/mcp/authorizedFetch';
import {
  MAX_AUTH_RETRIES,
  MAX_RESENDS_PER_REQUEST,
  mayReauthorize,
  mayRetryDpopNonce,
  type RejectedRequest,
} from '../../../src/core/requestAuthorizer';

/** Issue 10: one retry rule for one logical request, shared by the transport and the authorizer. */
describe('the retry rule of one logical request', () => {
  it('the authorizer re-authorizes MAX_AUTH_RETRIES times, plus one DPoP nonce retry', () => {
    const attempts = [1, 2, 3, 4];
    assert.deepEqual(attempts.map(mayReauthorize), [true, true, false, false]);
    assert.deepEqual(attempts.map(mayRetryDpopNonce), [true, true, true, false]);
    assert.equal(MAX_RESENDS_PER_REQUEST, MAX_AUTH_RETRIES + 1);
  });

  it('the transport re-sends at most MAX_RESENDS_PER_REQUEST times, whatever the authorizer says', async () => {
    const seen: number[] = [];
    let sent = 0;
    const authorizedFetch = createAuthorizedFetch({
      endpoint: new URL('https://mcp.example/mcp'),
      logger: new MemoryLogger(),
      maxResponseBytes: 1024,
      authorizer: {
        headersFor: async () => ({}),
        handleRejection: async (r: RejectedRequest) => {
          seen.push(r.attempt);
          return 'retry';
        },
      },
      baseFetch: async () => {
        sent++;
        return new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      },
    });
    await assert.rejects(authorizedFetch('https://mcp.example/mcp', { method: 'POST', body: '{}' }), (e) => {
      assert.ok(e instanceof AccessDeniedError);
      return true;
    });
    assert.deepEqual([sent, seen], [1 + MAX_RESENDS_PER_REQUEST, [1, 2, 3, 4]]);
  });
});
