import assert from 'node:assert/strict';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import { codeOf } from './support/codeOf';
import { FakeAuthServer, type FakeAsConfig } from './support/fakeAuthServer';

interface Page {
  status: number;
  body: string;
}

/** A "browser" over real HTTP with `redirect: 'manual'`: follows the authorize redirect and keeps the loopback page. */
function recordingBrowser(): { open(url: URL): Promise<void>; page: Promise<Page> } {
  let deliver!: (p: Page) => void;
  const page = new Promise<Page>((resolve) => {
    deliver = resolve;
  });
  return {
    page,
    async open(url: URL): Promise<void> {
      const location = (await fetch(url, { redirect: 'manual' })).headers.get('location');
      if (!location) throw new Error('no redirect from authorize');
      // Not awaited by the flow: the loopback page arrives only once the flow has judged the callback.
      void fetch(location, { redirect: 'manual' }).then(async (res) =>
        deliver({ status: res.status, body: await res.text() }),
      );
    },
  };
}

/**
 * Issue 7 item 13: the loopback page says "Signed in" only for a callback that passed state, RFC 9207
 * `iss` and `error` checks and whose code was exchanged; it never echoes server text.
 */
describe('loopback callback page reflects the real outcome of sign-in', () => {
  const servers: FakeAuthServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function signInThroughBrowser(config: FakeAsConfig): Promise<{ code: string; page: Page }> {
    const as = await new FakeAuthServer(config).start();
    servers.push(as);
    const browser = recordingBrowser();
    const engine = new OAuthEngine({
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      opener: browser,
      redirectTimeoutMs: 5000,
    });
    try {
      const code = await codeOf(engine.signIn({ id: 'srv', url: as.mcpUrl }));
      return { code, page: await browser.page };
    } finally {
      engine.dispose();
    }
  }
  const shown = (r: { code: string; page: Page }): unknown[] => [
    r.code,
    r.page.status,
    r.page.body.includes('Signed in'),
    r.page.body.includes('Sign-in failed'),
    /HACK|Evil|hostile/i.test(r.page.body),
  ];

  it('shows "Signed in" after the code was exchanged', async () => {
    assert.deepEqual(shown(await signInThroughBrowser({ issSupported: true })), ['resolved', 200, true, false, false]);
  });

  it('shows failure (not "Signed in") for a response with the wrong iss, which the client discards', async () => {
    assert.deepEqual(shown(await signInThroughBrowser({ issSupported: true, issInRedirect: 'wrong' })), [
      'iss_mismatch',
      400,
      false,
      true,
      false,
    ]);
  });

  it('never echoes error_description, with or without a matching iss', async () => {
    const authorizeError = { error: 'access_denied', description: '<b>Evil</b> call 555-HACK, the hostile helpdesk' };
    assert.deepEqual(shown(await signInThroughBrowser({ authorizeError, issInRedirect: 'wrong' })), [
      'iss_mismatch',
      400,
      false,
      true,
      false,
    ]);
    assert.deepEqual(shown(await signInThroughBrowser({ authorizeError })), [
      'authorization_denied',
      400,
      false,
      true,
      false,
    ]);
  });

  it('shows failure when the token endpoint refuses the code', async () => {
    assert.deepEqual(shown(await signInThroughBrowser({ invalidClient: true })), [
      'token_request_failed',
      400,
      false,
      true,
      false,
    ]);
  });
});
