import type { DeviceSockets } from '../commands/sockets.js';
import type { AgentConnection } from './connection.js';

/** The agent sockets held by this server instance: at most one per device. */
export class ConnectionRegistry implements DeviceSockets {
  private readonly byDevice = new Map<string, AgentConnection>();

  /** Registers `conn` as its device's socket; returns the connection it replaces, if any. */
  attach(conn: AgentConnection): AgentConnection | undefined {
    const previous = this.byDevice.get(conn.deviceId);
    this.byDevice.set(conn.deviceId, conn);
    return previous === conn ? undefined : previous;
  }

  /** Forgets `conn`; false when a newer connection of the same device has replaced it. */
  detach(conn: AgentConnection): boolean {
    if (this.byDevice.get(conn.deviceId) !== conn) return false;
    this.byDevice.delete(conn.deviceId);
    return true;
  }

  get(deviceId: string): AgentConnection | undefined {
    return this.byDevice.get(deviceId);
  }

  /** Forgets every connection and returns them (shutdown). */
  clear(): AgentConnection[] {
    const all = this.all();
    this.byDevice.clear();
    return all;
  }

  all(): AgentConnection[] {
    return [...this.byDevice.values()];
  }

  get size(): number {
    return this.byDevice.size;
  }
}
