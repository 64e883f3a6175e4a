import { CLOSE_CODES } from '@fleetmedic/protocol';
import type { AgentConnection } from '../gateway/connection.js';
import { ConnectionRegistry } from '../gateway/registry.js';
import { packPayloads } from './dispatcher.js';
import { CHANNELS, MAX_PAYLOAD_BYTES, type BusLog, type NotifyBus } from './notify-bus.js';

/** Connects are announced in batches at most this long after they happened, ms. */
export const ANNOUNCE_DELAY_MS = 20;

/**
 * One socket per device across all instances. Connects are announced on `fleetmedic_sockets`
 * as `<instanceId> <deviceId>@<connectedAtMs>,...` (batched: a reconnect storm of 20,000 Macs
 * is ~130 notifications, not 20,000). An instance that still holds an older socket of an
 * announced device (a half-open one the Mac left behind when it moved) forgets it first, so its
 * close writes no `online = false` over the new instance's `online = true`, then closes it with
 * CLOSE_CODES.replaced. Without this the stale socket would also swallow commands until the
 * heartbeat noticed it.
 */
export class ClusterRegistry extends ConnectionRegistry {
  private readonly connectedAt = new WeakMap<AgentConnection, number>();
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly bus: NotifyBus, readonly instanceId: string, private readonly log: BusLog) {
    super();
    bus.on(CHANNELS.sockets, (payload) => this.onAnnouncement(payload));
  }

  override attach(conn: AgentConnection): AgentConnection | undefined {
    const previous = super.attach(conn);
    const at = Date.now();
    this.connectedAt.set(conn, at);
    this.pending.push(`${conn.deviceId}@${at}`);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.announce(), ANNOUNCE_DELAY_MS);
      this.timer.unref();
    }
    return previous;
  }

  /** Sends the pending announcements now (also what the timer does). */
  async announce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const entries = this.pending;
    this.pending = [];
    const prefix = `${this.instanceId} `;
    await Promise.all(packPayloads(entries, MAX_PAYLOAD_BYTES - Buffer.byteLength(prefix)).map((p) =>
      this.bus.publish(CHANNELS.sockets, prefix + p)
        .catch((err) => this.log.warn({ err, devices: entries.length }, 'could not announce connections to other instances'))));
  }

  /** Drops unsent announcements (shutdown: this instance's sockets are closing anyway). */
  stopAnnouncing(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }

  private onAnnouncement(payload: string): void {
    const space = payload.indexOf(' ');
    const instanceId = payload.slice(0, space);
    if (space <= 0 || instanceId === this.instanceId) return;
    for (const entry of payload.slice(space + 1).split(',')) {
      const [deviceId, at] = entry.split('@');
      const conn = deviceId ? this.get(deviceId) : undefined;
      if (!conn) continue;
      // A socket opened here after the remote one is the newer: keep it (its own announcement
      // closes the other). Same millisecond: the greater instance id keeps its socket.
      const here = this.connectedAt.get(conn) ?? 0;
      const there = Number(at);
      if (here > there || (here === there && this.instanceId > instanceId)) continue;
      this.detach(conn);
      this.log.info({ deviceId, otherInstance: instanceId }, 'device connected to another instance: closing its socket here');
      conn.close(CLOSE_CODES.replaced, 'replaced by a newer connection on another server instance');
    }
  }
}
