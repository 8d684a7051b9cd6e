import { strict as assert } from 'node:assert';
import { Sequencer, SingleFlight } from '../../../src/core/common/async';
import { Emitter, setListenerErrorHandler } from '../../../src/core/common/event';
import { DisposableStore, toDisposable } from '../../../src/core/common/lifecycle';
import { UpstreamEvents } from '../../../src/core/gateway/upstreamEvents';
import { MemorySecretStore } from '../../../src/core/memoryPorts';
import { ToolCache } from '../../../src/vscode/toolCache';

/** Issue 10: one lifecycle/event/async module in src/core/common, one behaviour everywhere. */
describe('src/core/common primitives', () => {
  it('every emitter isolates a throwing listener and reports it: the others run, the caller never sees it', async () => {
    const reported: unknown[] = [];
    const handler = setListenerErrorHandler((e) => reported.push(e));
    try {
      const heard: string[] = [];
      const boom = (): void => {
        throw new Error('listener bug');
      };
      const secrets = new MemorySecretStore();
      secrets.onDidChange(boom);
      secrets.onDidChange((key) => heard.push(`secret:${key}`));
      await secrets.store('k', 'v');
      const tools = new ToolCache();
      tools.onDidChange(boom);
      tools.onDidChange(() => heard.push('tools'));
      tools.set('s', []);
      const events = new UpstreamEvents();
      events.subscribe('s', boom);
      events.subscribe('s', (n) => heard.push(n.method));
      events.emit('s', { method: 'notifications/tools/list_changed' });
      assert.deepEqual(heard, ['secret:k', 'tools', 'notifications/tools/list_changed']);
      assert.equal(reported.length, 3);
    } finally {
      handler.dispose();
    }
  });

  it('Emitter: a listener disposed during fire still gets that event, not later ones; dispose removes all', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const sub = emitter.event((n) => {
      seen.push(n);
      sub.dispose();
    });
    emitter.fire(1);
    emitter.fire(2);
    assert.deepEqual(seen, [1]);
    emitter.event((n) => seen.push(n * 10));
    emitter.dispose();
    emitter.fire(3);
    assert.deepEqual(seen, [1]);
  });

  it('DisposableStore disposes newest first, once, and disposes late additions at once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.add(toDisposable(() => order.push('b')));
    store.dispose();
    store.dispose();
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['b', 'a', 'late']);
  });

  it('SingleFlight joins a call in flight and starts anew after it settles, also after a failure', async () => {
    const flights = new SingleFlight<string, number>();
    let started = 0;
    let release!: () => void;
    const op = (): Promise<number> =>
      new Promise<number>((resolve) => {
        started++;
        release = () => resolve(started);
      });
    const a = flights.run('k', op);
    const b = flights.run('k', op);
    assert.equal(a, b);
    release();
    assert.deepEqual(await Promise.all([a, b]), [1, 1]);
    await assert.rejects(
      flights.run('k', () => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(flights.has('k'), false);
    const c = flights.run('k', op);
    release();
    assert.equal(await c, 2);
  });

  it('Sequencer runs one operation at a time in order, and a failure does not stop the queue', async () => {
    const seq = new Sequencer();
    const log: string[] = [];
    const step = (name: string) => async (): Promise<string> => {
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
      return name;
    };
    const first = seq.queue(step('1'));
    const failed = seq.queue(() => Promise.reject(new Error('2 failed')));
    const third = seq.queue(step('3'));
    assert.equal(await first, '1');
    await assert.rejects(failed, /2 failed/);
    assert.equal(await third, '3');
    await seq.idle();
    assert.deepEqual(log, ['start 1', 'end 1', 'start 3', 'end 3']);
  });
});
