import { ServerMessage, validator, type AgentMessage } from '@fleetmedic/protocol';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import WebSocket from 'ws';

export interface ConnectionOptions {
  /** ws:// or wss:// URL of the agent gateway. */
  url: string;
  /** The device token for `Authorization: Bearer`; may enroll first. */
  token: () => Promise<string>;
  logger: Logger;
  /** Connected: flush the outbox here. */
  onOpen: () => void | Promise<void>;
  onMessage: (message: IncomingMessage) => void;
  /** The server refused the token (HTTP 401 or close 4401): forget it so `token` enrolls again. */
  onUnauthorized?: () => Promise<void>;
  /** Milliseconds between pings; a socket the server sent nothing on (no pong, ping or message) for two of them in a row is ended. Default 30 000. */
  heartbeatMs?: number;
  /** Reconnect backoff bounds, milliseconds. Defaults 1 000 and 60 000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const checkServerMessage = validator(ServerMessage);

/**
 * A server message as handed on: validated, except a `command`'s envelope, which the
 * remediation executor validates itself so that it can answer a bad one with a reason.
 */
export type IncomingMessage = Exclude<ServerMessage, { type: 'command' }> | { type: 'command'; command: unknown };
/** A connection that lived shorter than this did not really work: back off before the next one. */
const STABLE_MS = 10_000;

/**
 * The agent's one WebSocket to the server, kept open: connects with `Authorization: Bearer
 * <deviceToken>`, pings every `heartbeatMs` and terminates when nothing came from the server (pong, ping, message) for two ping intervals, and reconnects with
 * exponential backoff and jitter (p-retry) after any close or failed attempt. Incoming messages
 * are validated against ServerMessage; invalid ones are logged and dropped.
 */
export class AgentConnection {
  private socket: WebSocket | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private shortLived = 0;

  constructor(private readonly opts: ConnectionOptions) {}

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends now when connected; false when not (the caller keeps what must not be lost). */
  send(message: AgentMessage): boolean {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return false;
    s.send(JSON.stringify(message));
    return true;
  }

  /** Closes the socket and stops reconnecting. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('agent stopping'));
    this.socket?.close(1000, 'agent stopping');
    await this.loop?.catch(() => {});
  }

  private async run(): Promise<void> {
    const { logger } = this.opts;
    const min = this.opts.minBackoffMs ?? 1_000;
    const max = this.opts.maxBackoffMs ?? 60_000;
    while (!this.abort.signal.aborted) {
      let socket: OpenedSocket;
      try {
        socket = await pRetry(() => this.openOnce(), {
          forever: true,
          factor: 2,
          minTimeout: min,
          maxTimeout: max,
          randomize: true,
          signal: this.abort.signal,
          onFailedAttempt: (e) => logger.warn({ attempt: e.attemptNumber, err: e.message }, 'cannot connect to the server; retrying'),
        });
      } catch {
        return; // aborted
      }
      if (this.abort.signal.aborted) {
        // stop() came between the upgrade and now: this socket must not outlive the agent.
        socket.ws.close(1000, 'agent stopping');
        return;
      }
      const openedAt = Date.now();
      await this.serve(socket);
      if (this.abort.signal.aborted) return;
      this.shortLived = Date.now() - openedAt < STABLE_MS ? this.shortLived + 1 : 0;
      // Jitter always (a fleet must not reconnect in step); grow the pause while connections keep dying young.
      const pause = Math.min(max, min * 2 ** this.shortLived) * (0.5 + Math.random());
      await sleep(this.shortLived > 0 ? pause : Math.random() * min, this.abort.signal);
    }
  }

  /** One connection attempt: resolves with the open socket, rejects (as Error, so p-retry retries) otherwise. */
  private async openOnce(): Promise<OpenedSocket> {
    const token = await this.opts.token().catch((error: unknown) => {
      throw new Error(`no device token: ${(error as Error).message}`);
    });
    const { logger } = this.opts;
    const { signal } = this.abort;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.opts.url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 15_000 });
      // Held from the first byte: a frame that came in the same read as the 101 answer (the
      // server sends queued commands at connect) is emitted before serve() can listen. The
      // close is caught from the first byte too, for a socket that dies in that gap.
      const held: WebSocket.RawData[] = [];
      const hold = (data: WebSocket.RawData) => held.push(data);
      ws.on('message', hold);
      const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code, reason) => done({ code, reason: reason.toString() })));
      // stop() during the handshake: the socket being opened is dropped, not left open behind a stopped agent.
      const onAbort = () => {
        ws.once('error', () => {});
        ws.terminate();
        reject(new Error('agent stopping'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => {
        signal.removeEventListener('abort', onAbort);
        ws.removeAllListeners('error');
        // Always an error listener: a bad frame right after the upgrade must not crash the agent (ws then closes the socket).
        ws.on('error', (error) => logger.warn({ err: error.message }, 'WebSocket error'));
        resolve({ ws, held, hold, closed });
      });
      ws.once('unexpected-response', (_req, res) => {
        signal.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        reject(new Error(`server answered HTTP ${status} to the WebSocket upgrade`));
        ws.once('error', () => {}); // terminate() during the handshake emits one more error
        ws.terminate();
        // The next attempt comes after a backoff pause: time enough to forget the token.
        if (status === 401 || status === 403) void this.opts.onUnauthorized?.();
      });
      ws.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(new Error(`WebSocket error: ${error.message}`));
      });
    });
  }

  /** Runs an open socket until it closes: heartbeat, messages (those held since the upgrade first), onOpen. */
  private serve({ ws, held, hold, closed }: OpenedSocket): Promise<void> {
    const { logger } = this.opts;
    this.socket = ws;
    // Alive: anything heard from the server (a pong, its own ping, a message). A server under
    // load stops reading sockets (backpressure), pongs included, but still writes. It pings every
    // 30 s too, a sweep of its sockets that may reach this one up to ~16 s later than the last
    // time, so one of its pings may miss one of our intervals: the socket ends after two
    // intervals in a row with nothing heard (60–90 s), and the reports wait in the outbox meanwhile.
    let alive = true;
    let silentIntervals = 0;
    const heard = () => {
      alive = true;
    };
    ws.on('pong', heard);
    ws.on('ping', heard);
    ws.on('message', heard);
    const heartbeat = setInterval(() => {
      silentIntervals = alive ? 0 : silentIntervals + 1;
      if (silentIntervals >= 2) {
        logger.warn('nothing from the server for two ping intervals (no pong, ping or message): terminating the connection');
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, this.opts.heartbeatMs ?? 30_000);
    const receive = (data: WebSocket.RawData) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        logger.warn('server sent a message that is not JSON; ignored');
        return;
      }
      if (typeof parsed === 'object' && parsed !== null && (parsed as { type?: unknown }).type === 'command') {
        this.opts.onMessage({ type: 'command', command: (parsed as { command?: unknown }).command });
        return;
      }
      const checked = checkServerMessage(parsed);
      if (!checked.ok) {
        logger.warn({ errors: checked.errors }, 'server sent an invalid message; ignored');
        return;
      }
      this.opts.onMessage(checked.value as IncomingMessage);
    };
    ws.off('message', hold);
    ws.on('message', receive);
    for (const data of held.splice(0)) receive(data);
    logger.info({ url: this.opts.url }, 'connected to the server');
    Promise.resolve()
      .then(() => this.opts.onOpen())
      .catch((error: unknown) => logger.error({ err: error }, 'on-connect handling failed'));
    return closed.then(async ({ code, reason }) => {
      clearInterval(heartbeat);
      if (this.socket === ws) this.socket = null;
      logger.info({ code, reason }, 'disconnected from the server');
      if (code === 4401) await (this.opts.onUnauthorized?.() ?? Promise.resolve()).catch(() => {});
    });
  }
}

/** An open socket, the frames that arrived before serve() took it over, and its close (code, reason). */
interface OpenedSocket {
  ws: WebSocket;
  held: WebSocket.RawData[];
  hold: (data: WebSocket.RawData) => void;
  closed: Promise<{ code: number; reason: string }>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
