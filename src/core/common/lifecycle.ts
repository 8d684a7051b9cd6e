/**
 * Lifecycle primitives (the shape of VS Code's `IDisposable`, so a core disposable can be pushed to
 * `context.subscriptions` as it is). No `node:` imports.
 */

/** Something that holds a resource until `dispose()` is called. `dispose()` may be called twice. */
export interface Disposable {
  dispose(): void;
}

/** A disposable that runs `fn` once, on the first `dispose()`. */
export function toDisposable(fn: () => void): Disposable {
  let disposed = false;
  return {
    dispose: () => {
      if (disposed) return;
      disposed = true;
      fn();
    },
  };
}

/**
 * Owns disposables and disposes them together, newest first. Adding to a disposed store disposes the
 * new item at once, so nothing registered late can leak.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  /** Takes ownership of `item` and returns it. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) item.dispose();
  }
}
