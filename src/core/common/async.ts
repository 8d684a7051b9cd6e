/**
 * Async coordination primitives: one operation in flight per key, and one-at-a-time queues. No `node:`
 * imports.
 */

/**
 * At most one operation in flight per key: a call while one runs joins it (same promise, same result
 * or error); once it settles the next call starts a new one. Used for sign-in and refresh per server
 * (a second refresh would spend the rotated refresh token twice, RFC 9700 §4.14.2) and for connects.
 */
export class SingleFlight<K, V> {
  private readonly inFlight = new Map<K, Promise<V>>();

  run(key: K, operation: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = operation().finally(() => {
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    });
    this.inFlight.set(key, started);
    return started;
  }

  /** The operation in flight for `key`, if any. */
  get(key: K): Promise<V> | undefined {
    return this.inFlight.get(key);
  }

  has(key: K): boolean {
    return this.inFlight.has(key);
  }
}

/**
 * Runs queued operations one at a time in queue order. A failed operation rejects its own promise
 * only; the queue goes on with the next one.
 */
export class Sequencer {
  private tail: Promise<unknown> = Promise.resolve();

  queue<T>(operation: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Settles once everything queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
