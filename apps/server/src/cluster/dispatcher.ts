import type { CommandDispatcher } from '../commands/dispatcher.js';
import { LocalDispatcher } from '../commands/dispatcher.js';
import type { CommandService, EnvelopeSource } from '../commands/service.js';
import type { MessageSink } from '../commands/sockets.js';
import type { ConnectionRegistry } from '../gateway/registry.js';
import { CHANNELS, MAX_PAYLOAD_BYTES, type BusLog, type NotifyBus } from './notify-bus.js';

/**
 * Command delivery across server instances. A device whose socket this instance holds gets its
 * commands right away; for any other device, `NOTIFY fleetmedic_commands '<deviceId>'` (after the
 * command's transaction committed) wakes every instance, and the one holding the socket
 * delivers. A batch (a bulk command to thousands of Macs) is one notification naming the batch
 * per committed chunk. After the LISTEN connection was lost and came back, every device connected here is
 * woken, since notifications may have been missed meanwhile. Delivery marks a command sent
 * under a status guard, so a duplicate wake-up sends nothing twice.
 */
export class ClusterDispatcher implements CommandDispatcher {
  private readonly local: LocalDispatcher;
  /** batches being delivered after a notification: `again` when another one came meanwhile */
  private readonly notifiedBatches = new Map<string, { again: boolean }>();

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
      this.deliverNotifiedBatch(batch[1]!);
    });
    bus.onReconnect(() => this.wake(registry.all().map((c) => c.deviceId)));
  }

  async dispatch(deviceId: string): Promise<void> {
    if (this.local.holds(deviceId)) return this.local.dispatch(deviceId);
    await this.bus.publish(CHANNELS.commands, deviceId);
  }

  localSink(deviceId: string): Promise<MessageSink | undefined> {
    return this.local.localSink(deviceId);
  }

  /**
   * A batch's committed chunk: this instance delivers to its own sockets, and one
   * `batch:<batchId>:<instanceId>` notification (whatever the chunk's size) makes every other
   * instance deliver the batch's queued commands to theirs.
   */
  async dispatchBatch(batchId: string, commands: readonly EnvelopeSource[]): Promise<void> {
    const here = commands.filter((c) => this.local.holds(c.deviceId));
    await Promise.all([
      this.local.dispatchBatch(batchId, here),
      here.length < commands.length ? this.bus.publish(CHANNELS.commands, `batch:${batchId}:${this.instanceId}`) : undefined,
    ]);
  }

  /**
   * Delivers a batch named by another instance's notification. One delivery per batch at a time:
   * a notification for the next chunk arriving meanwhile runs one more pass after it (which reads
   * every chunk committed by then). Two passes at once would both read the same queued rows, and
   * the one that loses the marking would send each of its Macs through dispatch() one by one.
   */
  private deliverNotifiedBatch(batchId: string): void {
    const running = this.notifiedBatches.get(batchId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.notifiedBatches.set(batchId, state);
    void (async () => {
      while (state.again) {
        state.again = false;
        await this.local.dispatchBatch(batchId).catch((err) => this.log.error({ err, batchId }, 'delivering a batch after a notification failed'));
      }
      this.notifiedBatches.delete(batchId);
    })();
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
