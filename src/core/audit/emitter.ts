/** A minimal typed event emitter (the core cannot use vscode.EventEmitter). */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Subscribe; the returned disposable unsubscribes. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; a throwing listener never stops the others or the caller. */
  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // listeners are UI/forwarders: their failure must not reach the write path
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
