import type { ConnectionRegistry } from '../gateway/registry.js';
import type { CommandService } from './service.js';

/**
 * Gets newly queued commands to their device. The local one reaches sockets on this instance;
 * a cross-instance one (Postgres LISTEN/NOTIFY to the instance holding the socket) can replace
 * it without touching callers.
 */
export interface CommandDispatcher {
  /** Deliver the device's queued commands now if it is connected; otherwise they wait for its next connect. */
  dispatch(deviceId: string): Promise<void>;
}

/** Delivers through the device's socket on this instance, in the connection's message order. */
export class LocalDispatcher implements CommandDispatcher {
  constructor(private readonly registry: ConnectionRegistry, private readonly commands: CommandService) {}

  async dispatch(deviceId: string): Promise<void> {
    const conn = this.registry.get(deviceId);
    if (!conn) return;
    await conn.enqueue(async () => {
      await this.commands.deliverPending(deviceId, conn);
    });
  }
}
