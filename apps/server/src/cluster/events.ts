import { CHANNELS, type BusLog, type NotifyBus } from './notify-bus.js';

/**
 * A change the dashboard may want to redraw, from any instance. Sent by table triggers at commit
 * (migrations 20261129111802_cluster_jobs, 20261129113725_device_event_skips_report_clock):
 * `device.updated` for any Device change except the lastSeenAt / lastReportAt / lastCollectedAt
 * clock columns that every heartbeat or unchanged report moves (also on enroll and delete), `command.updated` on a
 * command's creation and each status change (queued, sent, acknowledged, succeeded, ...).
 */
export type FleetEvent =
  | { type: 'device.updated'; deviceId: string }
  | { type: 'command.updated'; commandId: string; deviceId: string; status: string };

/** Parses a `fleetmedic_events` payload; null for anything else (logged by the caller). */
export function parseFleetEvent(payload: string): FleetEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.type === 'device.updated' && typeof o.deviceId === 'string') return { type: o.type, deviceId: o.deviceId };
  if (o.type === 'command.updated' && typeof o.commandId === 'string' && typeof o.deviceId === 'string' && typeof o.status === 'string') {
    return { type: o.type, commandId: o.commandId, deviceId: o.deviceId, status: o.status };
  }
  return null;
}

/** Fans the cluster's change events out to this instance's subscribers (server-sent event streams). */
export class FleetEvents {
  private readonly subscribers = new Set<(event: FleetEvent) => void>();

  constructor(bus: NotifyBus, log: BusLog) {
    bus.on(CHANNELS.events, (payload) => {
      const event = parseFleetEvent(payload);
      if (!event) return log.warn({ payload: payload.slice(0, 200) }, 'ignoring a malformed fleetmedic_events payload');
      for (const subscriber of this.subscribers) subscriber(event);
    });
  }

  /** Calls `subscriber` for every event until the returned function is called. */
  subscribe(subscriber: (event: FleetEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
