/**
 * The one event emitter of the core (the core cannot use `vscode.EventEmitter`). One rule when a
 * listener throws: the error is isolated — the other listeners still run and `fire` returns normally —
 * and reported to the listener-error handler the host installed (the extension and the CLI log it).
 * No `node:` imports.
 */
import { toDisposable, type Disposable } from './lifecycle';

export type { Disposable } from './lifecycle';

/** Subscribe to an event; the returned disposable unsubscribes. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

let listenerErrorHandler: (error: unknown) => void = () => undefined;

/**
 * Where every `Emitter` reports a listener that threw (the composition root points it at its log).
 * Disposing the result restores the previous handler.
 */
export function setListenerErrorHandler(handler: (error: unknown) => void): Disposable {
  const previous = listenerErrorHandler;
  listenerErrorHandler = handler;
  return toDisposable(() => {
    listenerErrorHandler = previous;
  });
}

/** The usual handler: one error line naming the error's type (its message may carry server text). */
export function logListenerError(logger: { error(message: string): void }): (error: unknown) => void {
  return (error) => logger.error(`an event listener failed: ${error instanceof Error ? error.name : typeof error}`);
}

export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(value: T) => void>();

  /** Subscribe; the returned disposable unsubscribes. */
  readonly event: Event<T> = (listener) => {
    // Wrapped, so the same function subscribed twice is two subscriptions with two disposables.
    const entry = (value: T): void => listener(value);
    this.listeners.add(entry);
    return toDisposable(() => this.listeners.delete(entry));
  };

  /** Calls every listener subscribed when `fire` starts; a throwing listener is isolated and reported. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        try {
          listenerErrorHandler(error);
        } catch {
          // the reporter itself failed: nothing left to tell, and the other listeners must still run
        }
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
