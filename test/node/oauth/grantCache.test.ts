import assert from 'node:assert/strict';
import { ManualClock, MemorySecretStore } from '../../../src/core/memoryPorts';
import type { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import { grantStoreKey, TokenStore } from '../../../src/core/oauth/tokenStore';
import type { SecretStore } from '../../../src/core/ports';
import { FakeAuthServer } from './support/fakeAuthServer';
import { testEngine } from './support/testEngine';

/** The in-memory store, counting reads (in the editor each read is an IPC round trip). */
class CountingStore implements SecretStore {
  reads = 0;
  /** While set, reads wait for it (lets a test change the store during a read). */
  gate: Promise<void> | undefined;
  constructor(
    readonly inner = new MemorySecretStore(),
    private readonly events = true,
  ) {}
  async get(key: string): Promise<string | undefined> {
    this.reads++;
    const value = await this.inner.get(key);
    await this.gate;
    return value;
  }
  store(key: string, value: string): Promise<void> {
    return this.inner.store(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  get onDidChange(): SecretStore['onDidChange'] {
    return this.events ? (l) => this.inner.onDidChange(l) : undefined;
  }
}

describe('OAuthEngine grant cache (no secret-storage read per request)', () => {
  let as: FakeAuthServer;
  const engines: OAuthEngine[] = [];
  before(async () => {
    as = await new FakeAuthServer({ expiresIn: 120 }).start();
  });
  after(async () => {
    await as.close();
  });
  afterEach(() => {
    for (const e of engines.splice(0)) e.dispose();
  });

  function engine(secrets: SecretStore, clock = new ManualClock(Date.now())): OAuthEngine {
    return testEngine(engines, secrets, clock);
  }

  it('serves the headers of every request after the first from memory', async () => {
    const secrets = new CountingStore();
    const e = engine(secrets);
    const server = { id: 's', url: as.mcpUrl };
    await e.signIn(server);
    const authorizer = e.authorizerFor(server);
    const first = await authorizer.headersFor({ url: new URL(as.mcpUrl), method: 'POST' });
    const before = secrets.reads;
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(await authorizer.headersFor({ url: new URL(as.mcpUrl), method: 'POST' }), first);
      await e.getGrant(server);
    }
    assert.equal(secrets.reads - before, 0);
  });

  it('presents the token another window refreshed on the very next request', async () => {
    const shared = new MemorySecretStore();
    const clock = new ManualClock(Date.now());
    const w1 = engine(shared, clock);
    const w2 = engine(shared, clock);
    const server = { id: 's', url: as.mcpUrl };
    await w1.signIn(server);
    const url = new URL(as.mcpUrl);
    const old = (await w2.authorizerFor(server).headersFor({ url, method: 'POST' })).authorization;
    clock.advance(90_000); // inside the refresh skew: window 1 refreshes (rotating the refresh token)
    const fresh = await w1.getAccessToken(server);
    clock.advance(-90_000); // window 2 would not refresh on its own: it must see window 1's write
    const seen = (await w2.authorizerFor(server).headersFor({ url, method: 'POST' })).authorization;
    assert.notEqual(seen, old);
    assert.equal(seen, `Bearer ${fresh}`);
  });

  it('does not cache a read that overlapped a change, and caches nothing without change events', async () => {
    const secrets = new CountingStore();
    const store = new TokenStore(secrets);
    const grant = (token: string): string => JSON.stringify({ version: 1, serverId: 's', accessToken: token });
    await secrets.inner.store(grantStoreKey('s'), grant('old'));
    let open: () => void = () => undefined;
    secrets.gate = new Promise((r) => {
      open = r;
    });
    const slow = store.load('s');
    await secrets.inner.store(grantStoreKey('s'), grant('new')); // another window writes during the read
    open();
    secrets.gate = undefined;
    assert.equal((await slow)?.accessToken, 'old');
    assert.equal((await store.load('s'))?.accessToken, 'new');
    store.dispose();

    const silent = new CountingStore(new MemorySecretStore(), false);
    const uncached = new TokenStore(silent);
    await silent.store(grantStoreKey('s'), grant('a'));
    await uncached.load('s');
    await silent.inner.store(grantStoreKey('s'), grant('b'));
    assert.equal((await uncached.load('s'))?.accessToken, 'b');
  });
});
