import type { ManualClock } from '../../../../src/core/memoryPorts';
import { MemoryLogger } from '../../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../../src/core/oauth/oauthEngine';
import type { OAuthEngineOptions } from '../../../../src/core/oauth/types';
import type { SecretStore } from '../../../../src/core/ports';
import { headlessOpener, type FakeAuthServer } from './fakeAuthServer';

/**
 * A headless OAuthEngine over `secrets` (the browser is the fixture's headless opener), added to
 * `engines` for the test's teardown; `extra` overrides any option.
 */
export function testEngine(
  engines: OAuthEngine[],
  secrets: SecretStore,
  clock: ManualClock,
  extra: Partial<OAuthEngineOptions> = {},
): OAuthEngine {
  const engine = new OAuthEngine({
    secrets,
    logger: new MemoryLogger(),
    clock,
    opener: headlessOpener(),
    redirectTimeoutMs: 5000,
    ...extra,
  });
  engines.push(engine);
  return engine;
}

/** Disposes every engine, then closes every fake server, emptying both lists. */
export async function disposeEnginesAndServers(engines: OAuthEngine[], servers: FakeAuthServer[]): Promise<void> {
  for (const e of engines.splice(0)) e.dispose();
  await Promise.all(servers.splice(0).map((s) => s.close()));
}
