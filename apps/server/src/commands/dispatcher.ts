import type { CommandService, EnvelopeSource } from './service.js';
import type { DeviceSocket, DeviceSockets, MessageSink } from './sockets.js';

/**
 * Gets newly queued commands to their device. The local one reaches sockets on this instance;
 * the cluster one (cluster/dispatcher.ts: Postgres LISTEN/NOTIFY to the instance holding the
 * socket) replaces it without touching callers.
 */
export interface CommandDispatcher {
  /** Deliver the device's queued commands now if it is connected; otherwise they wait for its next connect. */
  dispatch(deviceId: string): Promise<void>;
  /**
   * The device's socket when this instance holds it, once its connect-time delivery is done (a
   * new command never overtakes the resend); undefined when the device is offline or its socket
   * is on another instance. CommandService.create sends a new command straight to it.
   */
  localSink(deviceId: string): Promise<MessageSink | undefined>;
  /**
   * Delivers `commands`, rows of the batch `batchId` just committed (BatchService calls it once
   * per chunk, in order), to every connected target, wherever its socket is.
   */
  dispatchBatch(batchId: string, commands: readonly EnvelopeSource[]): Promise<void>;
}

/** Delivers through the device's socket on this instance, once its connect-time delivery is done. */
export class LocalDispatcher implements CommandDispatcher {
  constructor(private readonly registry: DeviceSockets, private readonly commands: CommandService) {}

  /** True when this instance holds the device's socket. */
  holds(deviceId: string): boolean {
    return this.registry.get(deviceId) !== undefined;
  }

  async dispatch(deviceId: string): Promise<void> {
    // After the connect-time resend, not behind the reports queued on the socket; deliverPending
    // marks under a status guard, so concurrent deliveries never send a command twice.
    const conn = await this.localSink(deviceId);
    if (conn) await this.commands.deliverPending(deviceId, conn);
  }

  async localSink(deviceId: string): Promise<DeviceSocket | undefined> {
    const conn = this.registry.get(deviceId);
    await conn?.ready.catch(() => {});
    return conn;
  }


  /**
   * Sends the batch's queued commands to the targets connected here: `commands` (rows just
   * committed), or, when omitted (a notification from another instance names only the batch),
   * the batch's queued commands read from the database for every socket of this instance. Signed
   * and sent in chunks (CommandService.deliverBatch); targets with older queued commands of their
   * own get theirs through dispatch(), oldest first.
   */
  async dispatchBatch(batchId: string, commands?: readonly EnvelopeSource[]): Promise<void> {
    const sinks = new Map<string, DeviceSocket>();
    for (const conn of commands ? commands.flatMap((c) => this.registry.get(c.deviceId) ?? []) : this.registry.all()) sinks.set(conn.deviceId, conn);
    if (sinks.size === 0) return;
    const { deferred } = await this.commands.deliverBatch(batchId, sinks, commands);
    await Promise.all(deferred.map((id) => this.dispatch(id)));
  }
}
