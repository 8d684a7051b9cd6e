import type { Client } from '@modelcontextprotocol/client';
import type { Logger } from '../ports';
import { Emitter, type Disposable } from '../common/event';

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
 * On the 2026-07-28 wire a server sends no unsolicited notifications: the list changes it announces
 * arrive only on a `subscriptions/listen` stream (2026-07-28 §Subscriptions), which `attach` opens for
 * the lists the server says can change; the SDK delivers them to the same handlers.
 */
export class UpstreamEvents {
  private readonly attached = new WeakSet<Client>();
  private readonly emitters = new Map<string, Emitter<ForwardedNotification>>();

  constructor(private readonly logger?: Logger) {}

  attach(serverId: string, client: Client): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    for (const method of FORWARDED_NOTIFICATIONS) {
      const set = client.setNotificationHandler.bind(client) as (
        m: string,
        h: (n: { params?: Record<string, unknown> }) => void,
      ) => void;
      set(method, (n) => this.emit(serverId, { method, ...(n.params ? { params: n.params } : {}) }));
    }
    if (client.getProtocolEra() === 'modern') void this.listen(serverId, client);
  }

  /** Opens the upstream's listen stream (modern wire); it ends with the connection. */
  private async listen(serverId: string, client: Client): Promise<void> {
    const caps = client.getServerCapabilities();
    const filter = {
      toolsListChanged: caps?.tools?.listChanged === true,
      promptsListChanged: caps?.prompts?.listChanged === true,
      resourcesListChanged: caps?.resources?.listChanged === true,
    };
    if (!filter.toolsListChanged && !filter.promptsListChanged && !filter.resourcesListChanged) return;
    try {
      const subscription = await client.listen(filter);
      const how = await subscription.closed;
      this.logger?.debug(`gateway: ${serverId} change subscription ended (${how})`);
    } catch (err) {
      this.logger?.warn(
        `gateway: ${serverId} change subscription failed: ${err instanceof Error ? err.name : 'error'}`,
      );
    }
  }

  subscribe(serverId: string, listener: Listener): Disposable {
    let emitter = this.emitters.get(serverId);
    if (!emitter) this.emitters.set(serverId, (emitter = new Emitter()));
    return emitter.event(listener);
  }

  /** Also used by the gateway itself, e.g. `tools/list_changed` when the tool policy changes. */
  emit(serverId: string, notification: ForwardedNotification): void {
    this.emitters.get(serverId)?.fire(notification);
  }
}
