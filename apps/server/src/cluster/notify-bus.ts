import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from '../db/index.js';
import { SESSION_OPTIONS } from '../db/client.js';
import type { PrismaClient } from '../generated/prisma/client.js';

/**
 * The Postgres channels the server instances talk on. Every instance LISTENs on all of them.
 * - commands: payload `<deviceId>[,<deviceId>...]` — "deliver this device's queued commands"
 * - sockets:  payload `<instanceId> <deviceId> <connectedAtMs>` — "this device connected here"
 * - events:   payload JSON `{ type: 'device.updated' | 'command.updated', ... }`, sent by table
 *             triggers at commit (see cluster/events.ts)
 * - policy:   empty payload — "the policy changed" (PolicyStore drops its copy)
 * - tokens:   empty payload — "an API token was revoked" (ApiTokenCache drops its copies)
 */
export const CHANNELS = {
  commands: 'fleetmedic_commands',
  sockets: 'fleetmedic_sockets',
  events: 'fleetmedic_events',
  policy: 'fleetmedic_policy',
  tokens: 'fleetmedic_tokens',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Postgres refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;

/** The logger calls the bus makes (a pino / Fastify logger fits). */
export interface BusLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where notifications come from: a dedicated Postgres connection, or the embedded PGlite. */
export interface NotificationSource {
  /** LISTENs on `channels`; calls `deliver` for each notification and `onReconnect` after a lost connection came back. */
  start(channels: readonly string[], deliver: (channel: string, payload: string) => void, onReconnect: () => void): Promise<void>;
  /** 'listening', or 'reconnecting' while a lost LISTEN connection is being re-opened */
  readonly state: 'idle' | 'listening' | 'reconnecting' | 'closed';
  close(): Promise<void>;
}

/**
 * Postgres LISTEN/NOTIFY between server instances. Publishing goes through the given Prisma
 * client (`SELECT pg_notify(channel, payload)`, delivered at commit when run inside a transaction);
 * listening uses a NotificationSource. Handlers run synchronously in arrival order and must not
 * throw (errors are logged).
 */
export class NotifyBus {
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectHandlers = new Set<() => void>();
  /** notifications received / published by this instance, for tests and metrics */
  readonly counts = { received: 0, published: 0, reconnects: 0 };

  constructor(private readonly prisma: PrismaClient, private readonly source: NotificationSource, private readonly log: BusLog) {}

  /** Starts listening on every channel in CHANNELS. Throws when the first LISTEN connection fails. */
  async start(): Promise<void> {
    await this.source.start(Object.values(CHANNELS), (channel, payload) => this.deliver(channel, payload), () => {
      this.counts.reconnects++;
      for (const handler of this.reconnectHandlers) this.safely(() => handler(), 'reconnect handler failed');
    });
  }

  get state(): NotificationSource['state'] {
    return this.source.state;
  }

  /** Calls `handler` with each payload on `channel` (from every instance, this one included). Returns the unsubscribe. */
  on(channel: Channel, handler: (payload: string) => void): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls `handler` after the LISTEN connection was lost and re-opened: notifications may have been missed. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  /** NOTIFY `channel` with `payload` (at most MAX_PAYLOAD_BYTES bytes; longer throws a RangeError). */
  async publish(channel: Channel, payload: string): Promise<void> {
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_PAYLOAD_BYTES) throw new RangeError(`notify payload on ${channel} is ${bytes} bytes; Postgres allows at most ${MAX_PAYLOAD_BYTES}`);
    // executeRaw: pg_notify returns void, which $queryRaw cannot deserialize.
    await this.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
    this.counts.published++;
  }

  async close(): Promise<void> {
    await this.source.close();
    this.handlers.clear();
    this.reconnectHandlers.clear();
  }

  private deliver(channel: string, payload: string): void {
    this.counts.received++;
    for (const handler of this.handlers.get(channel) ?? []) this.safely(() => handler(payload), `handler for ${channel} failed`);
  }

  private safely(fn: () => void, what: string): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, what);
    }
  }
}

/** Reconnect timing of the dedicated LISTEN connection, ms. */
export interface ReconnectOptions {
  /** first retry after this long (default 250) */
  initialDelayMs?: number;
  /** retries back off by doubling up to this (default 10,000) */
  maxDelayMs?: number;
  /** a `SELECT 1` on the LISTEN connection this often finds a silently dead connection (default 30,000) */
  pingIntervalMs?: number;
}

/**
 * LISTEN on one dedicated `pg` connection, outside Prisma's pool (a pooled connection would be
 * handed to other queries, and PgBouncer in transaction mode drops LISTEN). When the connection
 * errors or ends it is re-opened with exponential backoff, LISTENs again, then calls
 * `onReconnect` so callers can catch up on what they missed.
 */
export class PgNotificationSource implements NotificationSource {
  state: NotificationSource['state'] = 'idle';
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private readonly opts: Required<ReconnectOptions>;
  private channels: readonly string[] = [];
  private deliver: (channel: string, payload: string) => void = () => {};
  private onReconnect: () => void = () => {};

  constructor(private readonly connectionString: string, private readonly log: BusLog, opts: ReconnectOptions = {}) {
    this.opts = { initialDelayMs: 250, maxDelayMs: 10_000, pingIntervalMs: 30_000, ...opts };
    this.delayMs = this.opts.initialDelayMs;
  }

  /** The backend pid of the LISTEN connection (tests terminate it to prove reconnects), or null while down. */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  async start(channels: readonly string[], deliver: (channel: string, payload: string) => void, onReconnect: () => void): Promise<void> {
    this.channels = channels;
    this.deliver = deliver;
    this.onReconnect = onReconnect;
    await this.connect();
    this.state = 'listening';
    this.pingTimer = setInterval(() => {
      this.client?.query('SELECT 1').catch((err: Error) => this.log.warn({ err: err.message }, 'LISTEN connection ping failed'));
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  async close(): Promise<void> {
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'fleetmedic-listen', options: SESSION_OPTIONS });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.client === client) this.client = null;
      if (this.state !== 'listening') return; // closing, or the first connect failing (its caller gets the error)
      this.log.warn({ err: err?.message }, 'LISTEN connection lost: reconnecting');
      this.state = 'reconnecting';
      this.scheduleRetry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => this.deliver(n.channel, n.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.state === 'closed') return;
    this.retryTimer = setTimeout(() => void this.retry(), this.delayMs);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    this.retryTimer = null;
    if (this.state === 'closed') return;
    try {
      await this.connect();
    } catch (err) {
      this.delayMs = Math.min(this.delayMs * 2, this.opts.maxDelayMs);
      this.log.warn({ err: (err as Error).message, retryInMs: this.delayMs }, 'LISTEN reconnect failed');
      this.scheduleRetry();
      return;
    }
    // close() may have run while connecting.
    if ((this.state as NotificationSource['state']) === 'closed') {
      await this.client?.end().catch(() => {});
      return;
    }
    this.delayMs = this.opts.initialDelayMs;
    this.state = 'listening';
    this.log.info({}, 'LISTEN connection re-opened');
    this.onReconnect();
  }
}

/** Notifications inside the embedded PGlite (one process): `pglite.listen` sees every NOTIFY run on that PGlite. */
export class PGliteNotificationSource implements NotificationSource {
  state: NotificationSource['state'] = 'idle';
  private unlisten: Array<() => Promise<void>> = [];

  constructor(private readonly pglite: PGlite) {}

  async start(channels: readonly string[], deliver: (channel: string, payload: string) => void): Promise<void> {
    for (const channel of channels) this.unlisten.push(await this.pglite.listen(channel, (payload) => deliver(channel, payload)));
    this.state = 'listening';
  }

  async close(): Promise<void> {
    this.state = 'closed';
    const unlisten = this.unlisten;
    this.unlisten = [];
    // The PGlite may already be closed by its owner; nothing is left to stop then.
    if (!this.pglite.closed) await Promise.all(unlisten.map((u) => u().catch(() => {})));
  }
}

/**
 * The bus for an open database: on Postgres a dedicated LISTEN connection to `listenUrl`
 * (default the database's own URL; set it to a direct server address when DATABASE_URL goes
 * through PgBouncer in transaction mode), on PGlite the PGlite's own listen. Publishes through the
 * command path's pool (`db.commandPrisma`): a command's NOTIFY to the instance holding its Mac's
 * socket does not wait behind ingest. Not started.
 */
export function createNotifyBus(db: Database, log: BusLog, opts: { listenUrl?: string; reconnect?: ReconnectOptions } = {}): NotifyBus {
  if (db.kind === 'pglite') {
    if (!db.pglite) throw new Error('createNotifyBus: a pglite database without its PGlite instance');
    return new NotifyBus(db.commandPrisma, new PGliteNotificationSource(db.pglite), log);
  }
  const url = opts.listenUrl ?? db.databaseUrl;
  if (!url) throw new Error('createNotifyBus: a postgres database without its URL; pass listenUrl');
  return new NotifyBus(db.commandPrisma, new PgNotificationSource(url, log, opts.reconnect), log);
}
