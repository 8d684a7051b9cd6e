/** Request/reply over postMessage, correlated by id (webview side of protocol.ts). */
import type { EventMessage, HostEvent, HostToWebview, RequestMap, RequestType, WebviewToHost } from './protocol';

export interface MessagePort {
  postMessage(message: WebviewToHost): void;
  /** Subscribes to messages from the host. */
  onMessage(listener: (message: unknown) => void): void;
}

interface Waiter {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class RpcClient {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly eventListeners: ((e: HostEvent) => void)[] = [];

  constructor(private readonly port: MessagePort) {
    port.onMessage((m) => this.receive(m));
  }

  /** Sends the `ready` handshake; the host starts pushing events after it. */
  ready(): void {
    this.port.postMessage({ kind: 'ready' });
  }

  request<T extends RequestType>(type: T, params: RequestMap[T]['params']): Promise<RequestMap[T]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'request', id, type, params } as WebviewToHost);
    });
  }

  onEvent(listener: (e: HostEvent) => void): void {
    this.eventListeners.push(listener);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return;
    const m = raw as HostToWebview;
    if (m.kind === 'reply') {
      const w = this.waiters.get(m.id);
      if (!w) return;
      this.waiters.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(String(m.error)));
    } else if (m.kind === 'event') {
      for (const l of this.eventListeners) l((m as EventMessage).event);
    }
  }
}
