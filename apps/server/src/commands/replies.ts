import { COMMAND_OUTPUT_TAIL_BYTES, type CommandResult, type CommandStatus } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';
import { GroupCommit, storeEachAloneOnFailure } from '../db/group-commit.js';
import { retryOnConflict } from '../db/retry.js';

/** How a `command.result` was taken. */
export type ResultOutcome = 'recorded' | 'duplicate' | 'unknown-command';

/** Statuses a result may still be recorded from: anything but an already recorded result. */
export const AWAITING_RESULT: CommandStatus[] = ['queued', 'sent', 'acknowledged', 'timed_out', 'expired', 'cancelled'];

/** A `command.ack` or `command.result` from a device's socket. */
export type Reply =
  | { kind: 'ack'; deviceId: string; id: string; at: Date }
  | { kind: 'result'; deviceId: string; id: string; result: CommandResult };

/**
 * Keeps the last `max` UTF-16 units: the end of a program's output says why it failed. A cut
 * through a surrogate pair drops its low half (Postgres refuses a lone surrogate).
 */
const tail = (text: string, max = COMMAND_OUTPUT_TAIL_BYTES): string => (text.length > max ? text.slice(text.length - max).replace(/^[\uDC00-\uDFFF]/, '') : text);

// Timestamps are Prisma's timestamp(3) in UTC: an ISO string's "Z" is dropped by the cast.
const ACK_SQL = `
UPDATE "Command" c SET status = 'acknowledged', "ackedAt" = v.at
FROM json_to_recordset($1::json) AS v(id text, "deviceId" uuid, at timestamp(3))
WHERE c.id = v.id AND c."deviceId" = v."deviceId" AND c.status IN ('queued', 'sent')
RETURNING c.id, c."deviceId"::text AS "deviceId"`;

const RESULT_SQL = `
UPDATE "Command" c SET status = v.status, "exitCode" = v."exitCode", stdout = v.stdout, stderr = v.stderr,
  reason = v.reason, "durationMs" = v."durationMs", result = v.result, "finishedAt" = v."finishedAt"
FROM json_to_recordset($1::json) AS v(id text, "deviceId" uuid, status text, "exitCode" int, stdout text, stderr text,
  reason text, "durationMs" int, result jsonb, "finishedAt" timestamp(3))
WHERE c.id = v.id AND c."deviceId" = v."deviceId" AND c.status = ANY($2::text[])
RETURNING c.id, c."deviceId"::text AS "deviceId", extract(epoch FROM c."createdAt")::float8 * 1000 AS "createdAtMs"`;

const finishedAt = (iso: string): string => {
  const t = new Date(iso);
  return (Number.isNaN(t.getTime()) ? new Date() : t).toISOString();
};

/** Reply writes in flight at once (each a statement or two on the command pool). */
const REPLY_WRITES = 2;

/**
 * Stores what agents answer about commands, many devices per statement: every reply submitted
 * while a write is in flight goes in the next one (GroupCommit), one UPDATE for the acks and one
 * for the results, up to two writes at once. 20,000 Macs answering a bulk command cost a few
 * dozen statements instead of 60,000 queries, and a lone reply is written at once.
 *
 * - ack: queued/sent -> acknowledged (ackedAt). Resolves true when the command moved, false when
 *   it is not this device's or already past acknowledged.
 * - result: status succeeded/failed, exit code, output tails (COMMAND_OUTPUT_TAIL_BYTES), reason, duration
 *   (ms), the whole result as JSON, finishedAt (the agent's; the server clock when unreadable),
 *   from any status in AWAITING_RESULT (a result for a cancelled or expired command is still
 *   stored: it tells what really ran). Resolves `duplicate` when a result was already stored,
 *   `unknown-command` when the device has no such command.
 */
export class CommandReplies {
  private readonly writer: GroupCommit<Reply, boolean | ResultOutcome>;
  private readonly resultListeners: Array<(roundTripSeconds: number) => void> = [];

  constructor(private readonly prisma: PrismaClient) {
    // Two writes at once: with one, a reply arriving while another device's was being written
    // waited for that write and then its own, each a turn of the event loop (0.3–0.7 s in a burst
    // of reports), and a command's ack and result are two such in a row. With four, a bulk
    // command's 20,000 results went in more, smaller statements: 24.6 s to the last Mac against
    // 15.0–19.5 s in four runs with one (one run each, same machine). A device's replies never
    // race each other: its ack is stored before its result is submitted (the socket's command lane).
    this.writer = new GroupCommit(storeEachAloneOnFailure((replies: Reply[]) => this.write(replies)), { maxBatch: 1000, concurrency: REPLY_WRITES });
  }

  ack(deviceId: string, id: string, at = new Date()): Promise<boolean> {
    return this.writer.submit({ kind: 'ack', deviceId, id, at }) as Promise<boolean>;
  }

  result(deviceId: string, id: string, result: CommandResult): Promise<ResultOutcome> {
    return this.writer.submit({ kind: 'result', deviceId, id, result }) as Promise<ResultOutcome>;
  }

  /** Calls `listener` for each result recorded, with the seconds from its command's creation (createdAt) to now. */
  onResultStored(listener: (roundTripSeconds: number) => void): void {
    this.resultListeners.push(listener);
  }

  /** Replies waiting or being written. */
  get backlog(): number {
    return this.writer.backlog;
  }

  // Acks first: an ack and the result of the same command in one flush land in their real order.
  private async write(replies: Reply[]): Promise<Array<boolean | ResultOutcome>> {
    const acks = replies.filter((r): r is Extract<Reply, { kind: 'ack' }> => r.kind === 'ack');
    const results = replies.filter((r): r is Extract<Reply, { kind: 'result' }> => r.kind === 'result');
    const acked = keys(await this.updated(ACK_SQL, acks.map((a) => ({ id: a.id, deviceId: a.deviceId, at: a.at.toISOString() }))));
    const storedRows = await this.updated<{ createdAtMs: number }>(RESULT_SQL, results.map(({ id, deviceId, result: r }) => ({
      id, deviceId, status: r.status, exitCode: r.exitCode, stdout: tail(r.stdout), stderr: tail(r.stderr), reason: r.reason ?? null,
      durationMs: Math.round(r.durationMs), result: r, finishedAt: finishedAt(r.finishedAt),
    })), AWAITING_RESULT);
    const now = Date.now();
    for (const row of storedRows) for (const listener of this.resultListeners) listener((now - row.createdAtMs) / 1000);
    const stored = keys(storedRows);
    const known = await this.owners(results.filter((r) => !stored.has(`${r.deviceId}/${r.id}`)).map((r) => r.id));
    return replies.map((r) => {
      const key = `${r.deviceId}/${r.id}`;
      if (r.kind === 'ack') return acked.has(key);
      if (stored.has(key)) return 'recorded';
      return known.get(r.id) === r.deviceId ? 'duplicate' : 'unknown-command';
    });
  }

  /** Runs an UPDATE ... RETURNING id, deviceId (and the columns of `Extra`) over `rows`; the rows it changed. */
  private async updated<Extra = object>(sql: string, rows: Array<{ id: string; deviceId: string }>, ...params: unknown[]): Promise<Array<Changed & Extra>> {
    // Only ids that look like a device's uuid reach the uuid cast; the others match nothing.
    const valid = rows.filter((r) => UUID.test(r.deviceId));
    if (valid.length === 0) return [];
    return retryOnConflict(() => this.prisma.$queryRawUnsafe<Array<Changed & Extra>>(sql, JSON.stringify(valid), ...params));
  }

  /** command id -> its device, for the ids that exist. */
  private async owners(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.command.findMany({ where: { id: { in: ids } }, select: { id: true, deviceId: true } });
    return new Map(rows.map((r) => [r.id, r.deviceId]));
  }
}

interface Changed {
  id: string;
  deviceId: string;
}

/** The `deviceId/id` keys of changed rows. */
const keys = (rows: Changed[]): Set<string> => new Set(rows.map((c) => `${c.deviceId}/${c.id}`));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
