import type { Client } from '@modelcontextprotocol/client';

/** Server → client notifications the gateway forwards to every bridge session of that server. */
export const FORWARDED_NOTIFICATIONS = [
  'notifications/tools/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
  'notifications/prompts/list_changed',
  'notifications/message',
] as const;

export interface ForwardedNotification {
  readonly method: (typeof FORWARDED_NOTIFICATIONS)[number];
  readonly params?: Record<string, unknown>;
}

type Listener = (notification: ForwardedNotification) => void;

/**
 * Fans one upstream connection's notifications out to the bridge sessions of its server (MCP
 * 2025-11-25 §Tools/List Changed Notification, §Resources, §Prompts, §Utilities/Logging). An upstream
 * `Client` is attached once; reconnects produce a new `Client`, attached on the session's next request.
 */
export class UpstreamEvents {
  private readonly attached = new WeakSet<Client>();
  private readonly listeners = new Map<string, Set<Listener>>();

  attach(serverId: string, client: Client): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    for (const method of FORWARDED_NOTIFICATIONS) {
      const set = client.setNotificationHandler.bind(client) as (m: string, h: (n: { params?: Record<string, unknown> }) => void) => void;
      set(method, (n) => this.emit(serverId, { method, ...(n.params ? { params: n.params } : {}) }));
    }
  }

  subscribe(serverId: string, listener: Listener): { dispose(): void } {
    let set = this.listeners.get(serverId);
    if (!set) this.listeners.set(serverId, (set = new Set()));
    set.add(listener);
    return { dispose: () => set.delete(listener) };
  }

  /** Also used by the gateway itself, e.g. `tools/list_changed` when the tool policy changes. */
  emit(serverId: string, notification: ForwardedNotification): void {
    for (const l of [...(this.listeners.get(serverId) ?? [])]) l(notification);
  }
}
