import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type ServerMessage } from '@fleetmedic/protocol';
import type { DeviceSocket, SendOptions } from '../commands/sockets.js';

/**
 * Bytes of server messages one socket may hold unsent (ws's bufferedAmount) before it is dropped
 * with CLOSE_CODES.notReading. A socket that does not read held 7,618 commands; 10 of one Mac took
 * RSS 303 -> 612 MB. Commands marked sent are sent again at the next connect.
 */
export const MAX_SOCKET_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Bad messages tolerated per sliding minute before the socket is closed with 4400. */
export const BAD_MESSAGE_LIMIT = 20;
const BAD_MESSAGE_WINDOW_MS = 60_000;

/** Runs tasks one at a time in the order given; a failing task does not stop later ones. */
class SerialLane {
  private chain: Promise<void> = Promise.resolve();

  run(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => {});
    return run;
  }

  idle(): Promise<void> {
    return this.chain;
  }
}

/**
 * One agent's socket: sends typed server messages, runs the work for incoming messages in two
 * lanes, each one message at a time in arrival order — reports (so acks keep report order) and
 * command acks and results (so they never wait for a report's ingest) — counts bad messages,
 * tracks heartbeats.
 */
export class AgentConnection implements DeviceSocket {
  /** This socket's id (uuid), recorded in Device.connectionId while it holds the Mac online. */
  readonly id = randomUUID();
  /** When it connected, ms since the epoch (Device.connectedAt): a later socket of the Mac wins. */
  readonly connectedAt = Date.now();
  /** false after a ping until the pong arrives */
  alive = true;
  /** true while the read budget keeps this socket from being read (pause/resume) */
  paused = false;
  /**
   * Settles when the work done at connect (online, resending undelivered commands) is over. New
   * commands wait for it, not for the reports ahead of them on this socket: a command never
   * overtakes the connect-time resend, and never waits for a report's ingest.
   */
  ready: Promise<void> = Promise.resolve();
  private readonly reports = new SerialLane();
  private readonly commands = new SerialLane();
  private badAt: number[] = [];

  constructor(readonly deviceId: string, readonly socket: WebSocket) {}

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /**
   * When this socket was last sent a command one at a time (not as part of a bulk command) whose
   * result has not come back, ms since the epoch; null otherwise. Such a socket goes on being read
   * while the read budget pauses the others (ReadBudget's `exempt`), so the command's reply does
   * not wait behind reports.
   */
  awaitingReplySince: number | null = null;
  /** Called when a single command is sent (the gateway lets the read budget exempt the socket at once). */
  onAwaitingReply?: () => void;

  /** Sends `message` (`bulk`: a bulk command's); false (not sent) when the socket is closed, or when it holds too much unread and is dropped for it. */
  send(message: ServerMessage, opts: SendOptions = {}): boolean {
    if (!this.open) return false;
    const text = JSON.stringify(message);
    if (this.socket.bufferedAmount + Buffer.byteLength(text) > MAX_SOCKET_BUFFERED_BYTES) {
      // terminate, not close: a close frame would wait behind the unread bytes it is meant to free.
      this.socket.terminate();
      return false;
    }
    this.socket.send(text);
    if (message.type === 'command' && !opts.bulk) {
      this.awaitingReplySince = Date.now();
      this.onAwaitingReply?.();
    }
    return true;
  }

  /**
   * One heartbeat: pings the socket, or terminates it (returns true) when it did not answer the
   * previous ping although it was read meanwhile. A paused socket reads no pongs: it is pinged, not
   * judged. A closing socket is left to its close handler.
   */
  heartbeat(): boolean {
    if (!this.open) return false;
    if (!this.alive && !this.paused) {
      this.socket.terminate();
      return true;
    }
    this.alive = false;
    this.socket.ping();
    return false;
  }

  /** Stops reading the socket (ReadBudget): TCP holds what the agent sends meanwhile, its pongs too. */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  /** Reads the socket again. A pong it could not read while paused is not held against it: `alive` until the next ping. */
  resume(): void {
    if (this.paused) this.alive = true;
    this.paused = false;
    this.socket.resume();
  }

  /** Report lane: runs `task` after every task queued here before it; a failing task does not stop later ones. */
  enqueue(task: () => Promise<void>): Promise<void> {
    return this.reports.run(task);
  }

  /** Command lane (command acks and results): as `enqueue`, but never behind a report. */
  enqueueCommand(task: () => Promise<void>): Promise<void> {
    return this.commands.run(task);
  }

  /** Resolves when every task queued in both lanes has finished. */
  async idle(): Promise<void> {
    await Promise.all([this.reports.idle(), this.commands.idle()]);
  }

  /** Records one bad message; true when the limit for the last minute is reached. */
  recordBadMessage(now = Date.now()): boolean {
    this.badAt = this.badAt.filter((t) => now - t < BAD_MESSAGE_WINDOW_MS);
    // Kept at the limit: a socket closing for it may still deliver thousands (ws reads until the close completes).
    if (this.badAt.length < BAD_MESSAGE_LIMIT) this.badAt.push(now);
    return this.badAt.length >= BAD_MESSAGE_LIMIT;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }
}
