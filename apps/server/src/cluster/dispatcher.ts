import type { CommandDispatcher } from '../commands/dispatcher.js';
import { LocalDispatcher } from '../commands/dispatcher.js';
import type { CommandService } from '../commands/service.js';
import type { ConnectionRegistry } from '../gateway/registry.js';
import { CHANNELS, MAX_PAYLOAD_BYTES, type BusLog, type NotifyBus } from './notify-bus.js';

/**
 * Command delivery across server instances. A device whose socket this instance holds gets its
 * commands right away; for any other device, `NOTIFY fleetmedic_commands '<deviceId>'` (after the
 * command's transaction committed) wakes every instance, and the one holding the socket
 * delivers. A batch (a bulk command to thousands of Macs) is one notification naming the batch.
 * After the LISTEN connection was lost and came back, every device connected here is
 * woken, since notifications may have been missed meanwhile. Delivery marks a command sent
 * under a status guard, so a duplicate wake-up sends nothing twice.
 */
export class ClusterDispatcher implements CommandDispatcher {
  private readonly local: LocalDispatcher;

  constructor(
    private readonly registry: ConnectionRegistry,
    commands: CommandService,
    private readonly bus: NotifyBus,
    private readonly log: BusLog,
    /** this server instance: its own batch notifications are ignored */
    private readonly instanceId: string,
  ) {
    this.local = new LocalDispatcher(registry, commands);
    bus.on(CHANNELS.commands, (payload) => {
      const batch = BATCH_PAYLOAD.exec(payload);
      if (!batch) return this.wake(payload.split(','));
      if (batch[2] === this.instanceId) return; // this instance delivered to its own sockets already
      this.local.dispatchBatch(batch[1]!).catch((err) => this.log.error({ err, batchId: batch[1] }, 'delivering a batch after a notification failed'));
    });
    bus.onReconnect(() => this.wake(registry.all().map((c) => c.deviceId)));
  }

  async dispatch(deviceId: string): Promise<void> {
    if (this.local.holds(deviceId)) return this.local.dispatch(deviceId);
    await this.bus.publish(CHANNELS.commands, deviceId);
  }

  /**
   * A batch: this instance delivers to its own sockets, and one `batch:<batchId>:<instanceId>`
   * notification (whatever the batch's size) makes every other instance deliver to theirs.
   */
  async dispatchBatch(batchId: string, deviceIds: readonly string[]): Promise<void> {
    const here = deviceIds.filter((id) => this.local.holds(id));
    await Promise.all([
      this.local.dispatchBatch(batchId, here),
      here.length < deviceIds.length ? this.bus.publish(CHANNELS.commands, `batch:${batchId}:${this.instanceId}`) : undefined,
    ]);
  }

  private wake(deviceIds: readonly string[]): void {
    for (const id of deviceIds) {
      if (!this.local.holds(id)) continue;
      this.local.dispatch(id).catch((err) => this.log.error({ err, deviceId: id }, 'delivering commands after a notification failed'));
    }
  }
}

/** `batch:<batchId>:<instanceId>` on the commands channel. */
const BATCH_PAYLOAD = /^batch:([^:,]+):([^,]+)$/;

/** Joins items (device ids) with commas into as few payloads of at most `maxBytes` as fit (Postgres' NOTIFY limit by default). */
export function packPayloads(deviceIds: readonly string[], maxBytes = MAX_PAYLOAD_BYTES): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const id of deviceIds) {
    if (current && Buffer.byteLength(current) + 1 + Buffer.byteLength(id) > maxBytes) {
      payloads.push(current);
      current = '';
    }
    current = current ? `${current},${id}` : id;
  }
  if (current) payloads.push(current);
  return payloads;
}
