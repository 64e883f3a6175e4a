import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CLOSE_CODES, MAX_AGENT_MESSAGE_BYTES, type AgentMessage } from '@fleetmedic/protocol';
import type { RawData, WebSocket } from 'ws';
import { bearerToken, sha256Hex } from '../auth/secrets.js';
import type { CommandService } from '../commands/service.js';
import { ErrorBody, ServiceError } from '../errors.js';
import { IngestBatcher } from '../ingest/batcher.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { PolicyStore } from '../policy/store.js';
import { AgentConnection } from './connection.js';
import { handleAgentMessage, readAgentMessage, type GatewayDeps } from './handlers.js';
import { ReadBudget } from './read-budget.js';
import { SliceQueue } from './slices.js';
import { eachInTurns } from '../turns.js';
import type { ConnectionRegistry } from './registry.js';
import { DeviceTouches, OnlineWriter } from './touches.js';

/** Why a socket is closed 1009: ws closes without a reason, so the agent's log would not say which limit. */
const TOO_BIG_REASON = `message over ${MAX_AGENT_MESSAGE_BYTES} bytes (8 MiB), the agent message limit`;
/** Sockets pinged per turn of the event loop at each heartbeat (eachInTurns). */
const PINGS_PER_TURN = 500;
/** lastSeenAt from messages and pongs is written in one batch this often, ms. */
const TOUCH_EVERY_MS = 5_000;
/**
 * Backpressure (ReadBudget): past this many bytes of report messages read and not yet answered,
 * every agent socket stops being read until they are down to READ_LOW_BYTES. A whole report is
 * ~25 KB of text and ~100 KB parsed: 20,000 Macs sending their first report at once would
 * otherwise hold ~2 GB. 16 MiB holds at most ~64 MB parsed (a report waits as its text until its
 * lane reaches it and a slice reads it: one parsed report per socket); a burst of 10,000 deltas on one instance
 * (~1.1 KB each, 11 MB) stays under it. (At 4 MiB, two 20,000-Mac runs lost admin API calls to
 * ECONNRESET right after enrollment: not understood yet, so not the default.)
 */
export const READ_HIGH_BYTES = 16 * 1024 * 1024;
const READ_LOW_BYTES = 8 * 1024 * 1024;
/**
 * Reports are read (parsed, validated) SliceQueue-fashion: at most this long per turn of the event
 * loop, ms, so that a burst of thousands does not hold it while an admin's command waits. What
 * follows each read in the same turn (hashing the sections, handing it to the batch) costs about
 * as much again: ~10 ms a turn in all.
 */
const READ_SLICE_MS = 5;
/**
 * What a report waiting in its lane costs besides its text, bytes, counted by the read budget: a
 * 17-byte text that only begins like a report held ~2,300 bytes of heap while it waited (its
 * closures and promises; measured with 400,000 of them). Without it such a flood held ~0.9 GB
 * before the budget's 16 MiB of text paused anything.
 */
export const HELD_OVERHEAD_BYTES = 2_048;
/** How every agent's report message begins (JSON.stringify of `{ type: 'report', ... }`, type first). */
const REPORT_PREFIX = Buffer.from('{"type":"report",');
/** No pause lasts longer than this, ms: a paused socket answers no pings (an agent that hears nothing from the server for two 30-s intervals reconnects; older agents, one). */
const MAX_PAUSE_MS = 10_000;
/**
 * A socket unread this long, ms, is read at the next tick however often the budget pauses again
 * (ReadBudget: 250 such sockets a second, oldest first, while no more than twice the budget is
 * held), so with 10,000 waiting at once the last is read ~40 s after its pause, not never.
 */
const MAX_SOCKET_PAUSE_MS = 12_000;
/**
 * Commands first: a socket sent a single command (not a bulk command's) goes on being read during
 * a pause until its result arrives, for at most this long, ms, so an admin's Fix is not answered
 * after the reports ahead of it...
 */
const AWAITED_REPLY_MS = 30_000;
/**
 * ...and at most this many such sockets per pause (20 commands a second answered within 2 s is 40
 * at once). Such a socket is read until its result arrives, reports included (the agent may have
 * sent one just before the command reached it), while no more than twice the budget's bytes are
 * held. Any command's result ends the exemption, not only the single command's.
 */
const MAX_EXEMPT_SOCKETS = 64;

declare module 'fastify' {
  interface FastifyRequest {
    /** the device whose token opened this agent socket */
    agentDevice: { id: string; hostname: string } | null;
  }
}

export interface GatewayOptions {
  registry: ConnectionRegistry;
  commands: CommandService;
  policy: PolicyStore;
  /** ping interval, s; a socket that has not answered the previous ping is terminated */
  heartbeatSeconds: number;
  /** this instance's metrics: connections, ingest queue, reports stored, messages refused */
  metrics: ServerMetrics;
  /** report bytes held before every socket pauses (default READ_HIGH_BYTES; resumed at half) */
  readHighBytes?: number;
  /** the longest one socket stays paused, ms (default MAX_SOCKET_PAUSE_MS) */
  maxSocketPauseMs?: number;
}

/**
 * The agent gateway: `GET /api/v1/agent/ws`, authenticated at upgrade with
 * `Authorization: Bearer <deviceToken>` (401 before the upgrade completes). One socket per
 * device: a new one closes the old with CLOSE_CODES.replaced. Marks the device online on connect
 * (and delivers its queued commands), offline on disconnect; pings every `heartbeatSeconds`.
 */
export const gatewayPlugin: FastifyPluginAsync<GatewayOptions> = async (app, opts) => {
  const { registry, commands, policy, heartbeatSeconds, metrics } = opts;
  const readHigh = opts.readHighBytes ?? READ_HIGH_BYTES;
  const budget = new ReadBudget<AgentConnection>(() => registry.all(), readHigh, readHigh === READ_HIGH_BYTES ? READ_LOW_BYTES : Math.floor(readHigh / 2), MAX_PAUSE_MS, {
    exempt: (c) => c.awaitingReplySince !== null && Date.now() - c.awaitingReplySince < AWAITED_REPLY_MS,
    maxExempt: MAX_EXEMPT_SOCKETS,
    maxSocketPauseMs: opts.maxSocketPauseMs ?? MAX_SOCKET_PAUSE_MS,
  });
  const reading = new SliceQueue(READ_SLICE_MS);
  const ingest = new IngestBatcher(app.prisma, { policy: async () => (await policy.current()).policy });
  const online = new OnlineWriter(app.prisma);
  const deps: GatewayDeps = { prisma: app.prisma, commands, policy, ingest, log: app.log, metrics };
  metrics.watchGateway({ connections: () => registry.size, ingestQueue: () => ({ reports: ingest.backlog, bytes: ingest.backlogBytes }) });
  // Ingest counters (batch sizes, fast path vs full ingest), for operators and the benchmark.
  app.get('/api/v1/agent/ingest-stats', { onRequest: app.requireRole('viewer') }, async () => ({ ...ingest.stats, backlog: ingest.backlog, ...budget.stats, ...reading.stats, connections: registry.size }));
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const tracked = p.catch((err) => app.log.error({ err }, 'gateway background write failed')).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const touches = new DeviceTouches(app.prisma, TOUCH_EVERY_MS, (err) => app.log.error({ err }, 'lastSeenAt update failed'));
  // lastSeenAt only: `online` is written in the connection's own order (connect, then disconnect).
  const touch = (conn: AgentConnection) => touches.touch(conn.deviceId, conn.id);

  await app.register(websocket, {
    options: { maxPayload: MAX_AGENT_MESSAGE_BYTES },
    // Shutdown: tell agents why; they reconnect to another instance or after the restart.
    preClose(done) {
      for (const conn of registry.all()) conn.close(CLOSE_CODES.serverShutdown, 'server shutting down');
      done();
    },
  });
  app.decorateRequest('agentDevice', null);

  async function authenticateDevice(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new ServiceError('unauthorized', 'missing device token: send Authorization: Bearer <deviceToken> from enrollment');
    // Checked first: a valid token connects even from an address blocked for failures.
    const found = await app.prisma.device.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { id: true, hostname: true, previousTokenHash: true, enrollmentKeyHash: true } });
    if (!found) {
      // 429 (thrown) past the failure limit, 401 below it.
      await app.authFailures.fail('device-token', request, reply, 'unknown device token');
      throw new ServiceError('unauthorized', 'unknown device token (revoked by re-enrollment, or never issued): enroll again');
    }
    // The agent has its token: neither the replaced one nor the enrollment key enrolls any more (enrollDevice).
    if (found.previousTokenHash || found.enrollmentKeyHash) {
      await app.prisma.device.update({ where: { id: found.id }, data: { previousTokenHash: null, enrollmentKeyHash: null } });
    }
    request.agentDevice = { id: found.id, hostname: found.hostname };
  }

  app.get('/api/v1/agent/ws', {
    websocket: true, onRequest: authenticateDevice,
    schema: {
      summary: 'The agent socket: a WebSocket upgrade with Authorization: Bearer <device token>; agent and server messages are in @fleetmedic/protocol',
      response: { 401: ErrorBody, 429: ErrorBody },
    },
  }, (socket: WebSocket, request) => {
    const device = request.agentDevice!;
    const conn = new AgentConnection(device.id, socket);
    // Made when something is logged, not kept per socket: 20,000 child loggers weigh tens of MB.
    const log = () => app.log.child({ deviceId: device.id, hostname: device.hostname });
    registry.attach(conn)?.close(CLOSE_CODES.replaced, 'replaced by a newer connection of the same device');
    budget.adopt(conn);
    conn.onAwaitingReply = () => budget.exempt(conn);
    log().info('agent connected');
    sayWhyTooBig(socket, () => {
      metrics.messageRejected('too-large');
      log().warn({ limitBytes: MAX_AGENT_MESSAGE_BYTES }, `agent sent a ${TOO_BIG_REASON}: closed 1009`);
    });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      touch(conn);
      budget.heard(conn);
      const receivedAt = new Date();
      const bad = () => {
        if (!conn.recordBadMessage()) return;
        log().warn('too many bad messages: closing');
        conn.close(CLOSE_CODES.badMessage, 'too many bad messages in a minute');
      };
      let buffer: Buffer | undefined = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) {
        conn.send({ type: 'error', code: 'bad-message', message: 'binary frames are not accepted; send JSON text' });
        metrics.messageRejected('binary');
        return bad();
      }
      const bytes = buffer.length;
      // The text is let go once read: a report waiting for its batch holds its parsed form only.
      const read = () => {
        const text = buffer!.toString('utf8');
        buffer = undefined;
        return readAgentMessage(conn, text, metrics);
      };
      const handle = async (message: AgentMessage | null) => {
        if (!message) return bad();
        if ((await handleAgentMessage(deps, conn, message, bytes, receivedAt)) === 'bad') bad();
      };
      // A report, as every agent writes one (REPORT_PREFIX), is read in its lane a slice at a time
      // (`reading`); anything else on arrival, so a command's ack or result goes to its own lane
      // and never waits for the reports ahead of it.
      let message: AgentMessage | null | undefined;
      if (!buffer.subarray(0, REPORT_PREFIX.length).equals(REPORT_PREFIX)) {
        message = read();
        if (message?.type === 'command.result') {
          // Answered: read no longer while the others are paused.
          conn.awaitingReplySince = null;
          budget.adopt(conn);
        }
        if (message?.type !== 'report') return message ? track(conn.enqueueCommand(() => handle(message!))) : bad();
      }
      // Held from now until answered: waiting its turn, in a batch, or being written. Each counts
      // its bytes plus what waiting costs beyond them (HELD_OVERHEAD_BYTES), so a flood of tiny
      // texts that merely begin like a report pauses the sockets as a flood of big ones does.
      const held = bytes + HELD_OVERHEAD_BYTES;
      budget.take(held);
      // Read during a pause for having waited too long: one report, not a stream of them. One
      // awaiting a command's reply goes on: the reply may be right behind this report.
      budget.reported(conn);
      track(conn.enqueue(async () => handle(message ?? await reading.run(read))).finally(() => budget.release(held)));
    });
    socket.on('pong', () => {
      conn.alive = true;
      budget.heard(conn);
      touch(conn);
    });
    // ws answers the agent's ping itself; a socket read for having waited too long owes nothing more.
    socket.on('ping', () => budget.heard(conn));
    socket.on('close', (code: number) => {
      log().info({ code }, 'agent disconnected');
      if (registry.detach(conn)) {
        track(conn.idle().then(() => online.set(device.id, false, conn)));
      }
    });

    track(conn.ready = conn.enqueue(async () => {
      await online.set(device.id, true, conn);
      const sent = await commands.deliverPending(device.id, conn, { resend: true });
      if (sent.length > 0) log().info({ commands: sent }, 'delivered queued commands at connect');
    }));
  });

  const unpause = setInterval(() => budget.tick(), 1_000);
  unpause.unref();

  let closing = false;
  // PINGS_PER_TURN a turn: one ping is a write to its socket (~25 µs).
  const heartbeat = setInterval(() => eachInTurns(registry.all(), PINGS_PER_TURN, (conn) => {
    if (conn.heartbeat()) app.log.warn({ deviceId: conn.deviceId }, 'agent missed a heartbeat: terminated its socket');
  }, () => !closing), heartbeatSeconds * 1000);
  heartbeat.unref();

  app.addHook('onClose', async () => {
    closing = true;
    clearInterval(heartbeat);
    clearInterval(unpause);
    await touches.close();
    // Forget the sockets first, so their close handlers write nothing once the database may be gone.
    const conns = registry.clear();
    for (const conn of conns) conn.socket.terminate();
    await Promise.all(conns.map((c) => c.idle()));
    await Promise.all([...pending]);
    if (conns.length > 0) {
      // Only where the row still names this instance's socket: a Mac that already reconnected elsewhere stays online.
      await app.prisma.device.updateMany({ where: { connectionId: { in: conns.map((c) => c.id) } }, data: { online: false } });
    }
  });
};

/**
 * ws closes a socket whose message exceeds maxPayload with 1009 and no reason (receiverOnError
 * calls `close(1009)` on the socket): give that close the reason, and tell `onTooBig`.
 */
function sayWhyTooBig(socket: WebSocket, onTooBig: () => void): void {
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string | Buffer) => close(code, code === CLOSE_CODES.messageTooBig && !reason ? TOO_BIG_REASON : reason);
  socket.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') onTooBig();
  });
}
