import type { ServerMessage } from '@fleetmedic/protocol';

/**
 * What the command service and its dispatchers need of the sockets, owned here so commands never
 * import the gateway: the gateway's AgentConnection and ConnectionRegistry implement them.
 */

/** How a message is sent. */
export interface SendOptions {
  /** a bulk command's, or one resent at connect: its reply does not take precedence over reports (ReadBudget) as a single command's does */
  bulk?: boolean;
}

/** Where server messages for one device go: the device's socket on this instance. */
export interface MessageSink {
  /** false when the socket is no longer open (the message was not sent) */
  send(message: ServerMessage, opts?: SendOptions): boolean;
}

/** A device's socket on this instance. */
export interface DeviceSocket extends MessageSink {
  readonly deviceId: string;
  /** settles once the socket's connect-time delivery is done: a new command never overtakes the resend */
  readonly ready: Promise<void>;
}

/** The device sockets this instance holds, at most one per device. */
export interface DeviceSockets {
  get(deviceId: string): DeviceSocket | undefined;
  all(): DeviceSocket[];
}
