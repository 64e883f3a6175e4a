import { GroupCommit } from '../db/group-commit.js';
import { retryOnConflict } from '../db/retry.js';
import type { PrismaClient } from '../generated/prisma/client.js';

/** Most device ids per UPDATE. */
const CHUNK = 5_000;

/**
 * Device.lastSeenAt from messages and pongs, written in batches: devices seen since the last flush
 * get one UPDATE every `everyMs`, instead of one statement per device per heartbeat (20,000
 * sockets pinged every 30 s would be ~670 single-row updates a second). A device whose row names
 * the socket it was seen on is online again: offline detection marks silent rows offline, and
 * after a database outage longer than its limit that included Macs whose sockets stayed open,
 * which nothing else would have marked online before they reconnected.
 */
export class DeviceTouches {
  private seen = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly prisma: PrismaClient, everyMs: number, private readonly onError: (err: unknown) => void) {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  /** The device gave a sign of life now, on the socket whose id is `connectionId`. */
  touch(deviceId: string, connectionId: string): void {
    this.seen.set(deviceId, connectionId);
  }

  /** Writes the pending touches (one statement per CHUNK devices); resolves when written. */
  flush(): Promise<void> {
    const rows = [...this.seen].map(([id, connectionId]) => ({ id, connectionId }));
    this.seen = new Map();
    if (rows.length === 0) return this.flushing;
    const at = new Date();
    this.flushing = this.flushing.then(async () => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        // SKIP LOCKED: a row locked now is being written by ingest or the online writer, which set
        // lastSeenAt themselves; waiting for it could deadlock with their own row order.
        await this.prisma.$executeRawUnsafe(
          `UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3), online = d.online OR COALESCE(d."connectionId" = t."connectionId", false)
           FROM json_to_recordset($1::json) AS t(id uuid, "connectionId" uuid),
             (SELECT id FROM "Device" WHERE id IN (SELECT id FROM json_to_recordset($1::json) AS x(id uuid)) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED) l
           WHERE d.id = t.id AND l.id = t.id`,
          JSON.stringify(rows.slice(i, i + CHUNK)), at.toISOString(),
        ).catch(this.onError);
      }
    });
    return this.flushing;
  }

  /** Stops the timer after writing what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** An agent socket as the online state names it: its id (a uuid) and when it connected (ms since the epoch). */
export interface SocketRef {
  id: string;
  connectedAt: number;
}

/** A connect (online) or disconnect of `deviceId` by `socket`, waiting for the next write. */
interface OnlineChange {
  deviceId: string;
  online: boolean;
  socket: SocketRef;
}

/**
 * One device's values for a write, folded from its changes in submission order: the last
 * connect's socket (null: none in this batch) and whether it is still open, or, without a
 * connect, the sockets that disconnected.
 */
interface OnlineRow {
  socket: SocketRef | null;
  online: boolean;
  closed: string[];
}

/**
 * Device.online written by group commit (GroupCommit, one write at a time): connects and
 * disconnects that arrive while a write is in flight go together in the next one (one UPDATE, one
 * commit for a reconnect storm of thousands of Macs instead of one each). `set` resolves once its
 * value is committed; batches commit in order.
 *
 * Each value names the socket it comes from. A connect records its socket and connect time in
 * Device.connectionId/connectedAt unless the row has a later connect time (an instance whose write
 * was slow must not take the Mac back to a socket it has left); a disconnect writes
 * `online = false` and clears connectionId only while the row names its socket. A socket's disconnect is written
 * after the work it had queued (a report being stored can take seconds), so it can come after the
 * same Mac's next socket, on this instance or another, marked it online: it then changes nothing
 * instead of showing a connected Mac offline.
 */
export class OnlineWriter {
  private readonly writer: GroupCommit<OnlineChange, void>;

  constructor(private readonly prisma: PrismaClient) {
    this.writer = new GroupCommit(async (batch) => {
      await this.write(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    }, { maxBatch: Infinity });
  }

  /**
   * Marks `deviceId` online (connect) or offline (disconnect) by `socket`, with lastSeenAt now.
   * Resolves once committed; rejects with the database's error.
   */
  set(deviceId: string, online: boolean, socket: SocketRef): Promise<void> {
    return this.writer.submit({ deviceId, online, socket });
  }

  private async write(changes: OnlineChange[]): Promise<void> {
    const fold = new Map<string, OnlineRow>();
    for (const { deviceId, online, socket } of changes) {
      let row = fold.get(deviceId);
      if (!row) fold.set(deviceId, row = { socket: null, online: false, closed: [] });
      if (online) Object.assign(row, { socket, online: true, closed: [] });
      else if (row.socket === null) row.closed.push(socket.id);
      // After a connect in this batch, only that socket's own disconnect matters: others are older.
      else if (row.socket.id === socket.id) row.online = false;
    }
    const rows = [...fold].map(([id, e]) => ({
      id, online: e.online, connectionId: e.socket?.id ?? null,
      connectedAt: e.socket ? new Date(e.socket.connectedAt).toISOString() : null, closed: e.closed,
    }));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await retryOnConflict(() => this.prisma.$executeRawUnsafe(
        // Rows locked in id order, as every multi-row Device writer does: no deadlock between them.
        // A connect is written unless the row names a later one; disconnects alone only where the row names one of their sockets.
        // A disconnect also clears connectionId: a touch of that socket flushed after it (a pong
        // just before the close) must not mark the Mac online again.
        `UPDATE "Device" d SET online = t.online, "connectionId" = CASE WHEN t.online THEN t."connectionId" END,
           "connectedAt" = COALESCE(t."connectedAt", d."connectedAt"), "lastSeenAt" = $2::timestamp(3)
         FROM json_to_recordset($1::json) AS t(id uuid, online boolean, "connectionId" uuid, "connectedAt" timestamp(3), closed uuid[]),
           (SELECT id FROM "Device" WHERE id IN (SELECT id FROM json_to_recordset($1::json) AS x(id uuid)) ORDER BY id FOR NO KEY UPDATE) l
         WHERE d.id = t.id AND l.id = t.id
           AND (t."connectionId" IS NOT NULL AND (d."connectedAt" IS NULL OR t."connectedAt" >= d."connectedAt")
             OR t."connectionId" IS NULL AND d."connectionId" = ANY(t.closed))`,
        JSON.stringify(rows.slice(i, i + CHUNK)), new Date().toISOString()));
    }
  }
}
