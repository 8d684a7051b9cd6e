import assert from 'node:assert/strict';
import { LoopbackRedirect } from '../../../src/core/oauth/loopbackRedirect';
import { codeOf } from './support/codeOf';

async function get(url: string): Promise<{ status: number; body: string; location: string | null }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

describe('loopback redirect listener (RFC 8252 §7.3) over real HTTP', () => {
  let listeners: LoopbackRedirect[] = [];
  async function listen(
    state = 'st-123',
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<LoopbackRedirect> {
    const l = new LoopbackRedirect(state, opts);
    listeners.push(l);
    await l.start();
    return l;
  }
  afterEach(async () => {
    await Promise.all(listeners.map((l) => l.close()));
    listeners = [];
  });

  it('binds 127.0.0.1 on an ephemeral port and round-trips the state', async () => {
    const l = await listen();
    assert.match(l.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const answer = get(`${l.redirectUri}?code=abc&state=st-123&iss=https%3A%2F%2Fas.example`);
    const url = await l.wait();
    l.respond('success');
    const res = await answer;
    assert.deepEqual(
      {
        status: res.status,
        location: res.location,
        code: url.searchParams.get('code'),
        state: url.searchParams.get('state'),
      },
      { status: 200, location: null, code: 'abc', state: 'st-123' },
    );
  });

  it('refuses a second callback', async () => {
    const l = await listen();
    const first = get(`${l.redirectUri}?code=abc&state=st-123`);
    await l.wait();
    const second = await get(`${l.redirectUri}?code=evil&state=st-123`);
    l.respond('success');
    await first;
    assert.deepEqual([second.status, (await l.wait()).searchParams.get('code')], [400, 'abc']);
  });

  it('aborts the flow with state_mismatch on a foreign or missing state', async () => {
    const l = await listen();
    const res = await get(`${l.redirectUri}?code=abc&state=other`);
    assert.deepEqual([res.status, await codeOf(l.wait())], [400, 'state_mismatch']);
    const l2 = await listen();
    await get(`${l2.redirectUri}?code=abc`);
    assert.equal(await codeOf(l2.wait()), 'state_mismatch');
  });

  it('answers 404 to other paths without consuming the flow, and never reflects input', async () => {
    const l = await listen();
    const other = await get(`${l.redirectUri.replace('/callback', '/favicon.ico')}?x=<script>`);
    const pending = get(
      `${l.redirectUri}?state=st-123&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
    );
    await l.wait();
    l.respond('failure');
    const denied = await pending;
    assert.deepEqual(
      [other.status, denied.status, denied.body.includes('<script>'), denied.body.includes('alert')],
      [404, 400, false, false],
    );
    assert.equal((await l.wait()).searchParams.get('error'), 'access_denied');
  });

  it('holds the browser until the flow judges the callback, and shows success only when told so', async () => {
    const l = await listen();
    const answer = get(`${l.redirectUri}?code=abc&state=st-123`);
    await l.wait();
    l.respond('failure');
    l.respond('success'); // too late: the browser already has its answer
    const res = await answer;
    assert.deepEqual(
      [res.status, res.body.includes('Signed in'), res.body.includes('Sign-in failed')],
      [400, false, true],
    );
    const l2 = await listen();
    const unanswered = get(`${l2.redirectUri}?code=abc&state=st-123`);
    await l2.wait();
    await l2.close(); // the flow ended without a verdict: failure, never success
    const res2 = await unanswered;
    assert.deepEqual([res2.status, res2.body.includes('Signed in')], [400, false]);
  });

  it('times out with authorization_timeout and closes', async () => {
    const l = await listen('s', { timeoutMs: 50 });
    assert.equal(await codeOf(l.wait()), 'authorization_timeout');
    await l.close();
    await assert.rejects(
      fetch(`${l.redirectUri}?state=s&code=x`),
      (e: { cause?: { code?: string } }) => e.cause?.code === 'ECONNREFUSED',
      'nothing listens after close',
    );
  });

  it('is cancelled by an AbortSignal', async () => {
    const ac = new AbortController();
    const l = await listen('s', { signal: ac.signal });
    ac.abort();
    assert.equal(await codeOf(l.wait()), 'authorization_cancelled');
  });
});
