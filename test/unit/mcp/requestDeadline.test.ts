import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { isMcpSecureError } from '../../../src/core/errors';
import { AuthActivity, withDeadline } from '../../../src/core/mcp/requestDeadline';

const never = (): Promise<never> => new Promise<never>(() => undefined);
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
/** Timers before the work, counted once mocha has armed its own test timeout (right after the test starts). */
const timersBefore = async (): Promise<number> => {
  await new Promise((r) => setImmediate(r));
  return timers();
};

describe('withDeadline', () => {
  it('answers with the work and leaves no timer and no listener on the caller signal', async () => {
    const caller = new AbortController();
    const before = await timersBefore();
    assert.equal(await withDeadline(60_000, undefined, caller.signal, async () => 42), 42);
    assert.deepEqual([timers(), getEventListeners(caller.signal, 'abort').length], [before, 0]);
  });

  it('ends work that ignores its signal with request_timeout, and cleans up although the work never settles', async () => {
    const caller = new AbortController(); // long-lived, like a CLI run's or a session's signal
    await assert.rejects(withDeadline(10, undefined, caller.signal, never), (e: unknown) =>
      isMcpSecureError(e, 'request_timeout'),
    );
    assert.equal(getEventListeners(caller.signal, 'abort').length, 0);
  });

  it('ends work on the caller cancelling (also when it cancelled before), leaving no timer behind', async () => {
    const before = await timersBefore();
    const caller = new AbortController();
    const pending = withDeadline(60_000, undefined, caller.signal, never);
    caller.abort();
    await assert.rejects(pending, (e: unknown) => isMcpSecureError(e, 'cancelled'));
    await assert.rejects(withDeadline(60_000, undefined, caller.signal, never), (e: unknown) =>
      isMcpSecureError(e, 'cancelled'),
    );
    assert.deepEqual([timers(), getEventListeners(caller.signal, 'abort').length], [before, 0]);
  });

  it('does not expire while authorizer work runs, and gives the request a fresh window after it', async () => {
    const activity = new AuthActivity();
    let endSignIn: () => void = () => undefined;
    const signIn = activity.run(() => new Promise<void>((r) => (endSignIn = r)));
    let timedOut = false;
    const pending = withDeadline(10, activity, undefined, never).catch((e: unknown) => {
      timedOut = isMcpSecureError(e, 'request_timeout');
    });
    await new Promise((r) => setTimeout(r, 40)); // four deadlines' worth while the sign-in is pending
    assert.equal(timedOut, false, 'expired during the sign-in');
    endSignIn();
    await signIn;
    await pending;
    assert.equal(timedOut, true);
  });
});
