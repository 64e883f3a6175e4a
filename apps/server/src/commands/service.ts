import { randomUUID } from 'node:crypto';
import type { Action, CommandEnvelope, CommandResult, CommandStatus } from '@fleetmedic/protocol';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { ServiceError, notFound } from '../errors.js';
import type { MessageSink, SendOptions } from './sockets.js';
import type { KeyLog, SigningKeyring, SigningKeySource, UnsignedEnvelope } from '../signing/signing-key.js';
import { expireOverdueCommands } from './expiry.js';
import { retryOnConflict } from '../db/retry.js';
import { CommandReplies, type ResultOutcome } from './replies.js';

export type { ResultOutcome };

/** A command not sent because its stored signature does not check, and why. */
interface Refused {
  id: string;
  deviceId: string;
  reason: string;
}

const CANCELLABLE: CommandStatus[] = ['queued', 'sent'];
/** Commands of a batch signed and sent between two yields to the event loop: ~0.2-0.5 s of work. */
const SEND_CHUNK = 5000;

/** Lets the event loop run what waits (socket reads, timers) before the next slice of work. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// What an envelope is made of (EnvelopeSource), the times as ISO text.
const ENVELOPE_COLUMNS = `id, "deviceId"::text AS "deviceId", type, params, signature, "keyId",
  to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt", to_char("expiresAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt"`;

// A command and its audit row in one statement, only if the device exists (n = 0 otherwise).
// Timestamps are Prisma's timestamp(3) in UTC, every one passed (never a column default).
// With $11 (its socket is open here) it is stored already sent, unless the device has older
// queued commands (those go first, oldest first, through deliverPending).
const CREATE_SQL = `
WITH d AS (
  SELECT id, CASE WHEN $11::boolean AND NOT EXISTS (
    SELECT 1 FROM "Command" q WHERE q."deviceId" = $1::uuid AND q.status = 'queued' AND q."expiresAt" > $6::timestamp(3)
  ) THEN 'sent' ELSE 'queued' END AS status
  FROM "Device" WHERE id = $1::uuid
),
c AS (
  INSERT INTO "Command" (id, "deviceId", type, params, status, "sentAt", "createdBy", "createdAt", "expiresAt", signature, "keyId")
  SELECT $2, d.id, $3, $4::jsonb, d.status, CASE WHEN d.status = 'sent' THEN $6::timestamp(3) END, $5, $6::timestamp(3), $7::timestamp(3), $9, $10 FROM d
  RETURNING "deviceId", status
),
a AS (
  INSERT INTO "AuditLog" (at, actor, action, target, params)
  SELECT $6::timestamp(3), $5, 'command.create', 'device:' || c."deviceId", $8::jsonb FROM c
)
SELECT status FROM c`;

// A command stored sent by create whose socket refused it, back to queued (unless a resend or a
// cancel has moved it since: its sentAt or status differ).
const REQUEUE_SQL = `UPDATE "Command" SET status = 'queued', "sentAt" = NULL WHERE id = $1 AND status = 'sent' AND "sentAt" = $2::timestamp(3)`;

// One page of a device's queued, unexpired commands, oldest first, marked sent in the statement
// that picks them (the outer guard re-checks a row another delivery or a cancel changed meanwhile).
const DELIVER_PENDING_SQL = `
UPDATE "Command" c SET status = 'sent', "sentAt" = $2::timestamp(3)
WHERE c.id IN (
    SELECT id FROM "Command" WHERE "deviceId" = $1::uuid AND status = 'queued' AND "expiresAt" > $2::timestamp(3)
    ORDER BY "createdAt", id LIMIT $3)
  AND c.status = 'queued' AND c."expiresAt" > $2::timestamp(3)
RETURNING ${ENVELOPE_COLUMNS}`;

// Commands and their audit rows from one JSON array: one statement, whatever its size.
const INSERT_MANY_SQL = `
WITH v AS (
  SELECT * FROM json_to_recordset($1::json) AS v(id text, "deviceId" uuid, type text, params jsonb, "createdBy" text, "batchId" text,
    "createdAt" timestamp(3), "expiresAt" timestamp(3), audit jsonb, signature text, "keyId" text)
), c AS (
  INSERT INTO "Command" (id, "deviceId", type, params, status, "createdBy", "batchId", "createdAt", "expiresAt", signature, "keyId")
  SELECT id, "deviceId", type, params, 'queued', "createdBy", "batchId", "createdAt", "expiresAt", signature, "keyId" FROM v
)
INSERT INTO "AuditLog" (at, actor, action, target, params) SELECT "createdAt", "createdBy", 'command.create', 'device:' || "deviceId", audit FROM v`;

// The batch's commands with the ids in $2 become sent if still queued and not expired, unless the
// device has older queued commands of its own (those go oldest first, device by device).
const DELIVER_BATCH_SQL = `
UPDATE "Command" c SET status = 'sent', "sentAt" = $3::timestamp(3)
WHERE c.id = ANY($2::text[]) AND c."batchId" = $1 AND c.status = 'queued' AND c."expiresAt" > $3::timestamp(3)
  AND NOT EXISTS (SELECT 1 FROM "Command" o WHERE o."deviceId" = c."deviceId" AND o.status = 'queued' AND o."batchId" IS DISTINCT FROM $1)
RETURNING c.id`;

// What the envelopes of a batch's queued commands need (a delivery woken by another instance's NOTIFY).
const BATCH_QUEUED_SQL = `SELECT ${ENVELOPE_COLUMNS} FROM "Command" WHERE "batchId" = $1 AND status = 'queued'`;

// Commands whose stored signature does not check are failed, not sent, each with a `command.refused` audit row.
const REFUSE_SQL = `
WITH v AS (SELECT * FROM json_to_recordset($1::json) AS v(id text, reason text)),
c AS (
  UPDATE "Command" c SET status = 'failed', reason = v.reason, "finishedAt" = $2::timestamp(3)
  FROM v WHERE c.id = v.id AND c.status IN ('queued', 'sent', 'acknowledged')
  RETURNING c.id, c."deviceId", c.type, v.reason
)
INSERT INTO "AuditLog" (at, actor, action, target, params)
SELECT $2::timestamp(3), 'server', 'command.refused', 'device:' || "deviceId", json_build_object('commandId', id, 'type', type, 'reason', reason)::jsonb FROM c`;

/** Rows signed by this process (create, insertRows): delivered from memory without checking their signature again. */
const signedHere = new WeakSet<object>();

/** The `command.create` audit row's params: which command, what, and its batch if any. */
const auditParams = (c: Command): Prisma.InputJsonValue => ({
  commandId: c.id, type: c.type, params: c.params as Prisma.InputJsonValue, ...(c.batchId ? { batchId: c.batchId } : {}),
});

/** What a command's envelope is made of: a Command row, or the same columns with the times read as ISO text. */
export type EnvelopeSource = Pick<Command, 'id' | 'deviceId' | 'type' | 'params' | 'signature' | 'keyId'> & { createdAt: Date | string; expiresAt: Date | string };

const isoOf = (t: Date | string): string => (typeof t === 'string' ? t : t.toISOString());

/** Commands read, marked and sent at a time by deliverPending (bounds its memory per socket). */
export const DELIVERY_PAGE = 500;

/** A Command row as the envelope the agent receives, without its signature. */
export function toEnvelope(c: Omit<EnvelopeSource, 'signature' | 'keyId'>): UnsignedEnvelope {
  return {
    id: c.id,
    deviceId: c.deviceId,
    action: { type: c.type, params: c.params } as Action,
    createdAt: isoOf(c.createdAt),
    expiresAt: isoOf(c.expiresAt),
  };
}

/** What one new command is: for which device, what, by whom, in which bulk batch (if any). */
export interface NewCommand {
  deviceId: string;
  action: Action;
  actor: string;
  batchId?: string;
  now?: Date;
  /** the command's id; default a fresh random uuid (a batch passes ids that sort in its plan's order) */
  id?: string;
}

/**
 * The Command lifecycle in Postgres: queued -> sent -> acknowledged -> succeeded | failed, or
 * expired (never delivered before expiresAt), timed_out (delivered, no result before expiresAt),
 * cancelled (by an operator while queued or sent). Delivery itself is the dispatcher's job.
 * Commands are signed when created (with the active Ed25519 key, signing/signing-key.ts), in the
 * statement that writes their audit row; delivery sends the stored signature and signs nothing: a
 * row without a signature of ours (inserted straight into the database) is failed, never sent.
 */
export class CommandService {
  private readonly replies: CommandReplies;

  /**
   * @param prisma the command path's client (Database.commandPrisma: a pool of its own on Postgres)
   * @param ttlSeconds how long a new command may wait for delivery and its result (expiresAt)
   * @param keys the server's one signing key source (the key enrollment announces)
   * @param log where refused (unsigned) commands are logged
   */
  constructor(readonly prisma: PrismaClient, private readonly ttlSeconds: number, private readonly keys: SigningKeySource, private readonly log?: Pick<KeyLog, 'error'>) {
    this.replies = new CommandReplies(prisma);
  }

  /**
   * Queues `action` for a device (404 when unknown), signed, and audits it as `command.create` by
   * `actor`: one statement (command row with its signature and audit row, or neither), so a
   * single command costs one round trip to the database however busy its pool is. With `sink`
   * (the device's socket on this instance, its connect-time delivery done) the same statement
   * stores it sent and it is sent at once, unless the device has older queued commands: then it
   * is stored queued (deliverPending sends them oldest first). When the socket refuses it (it
   * closed meanwhile: the Mac may already be back on a new socket, whose connect-time resend read
   * before this insert), it is put back to queued for the caller's dispatch. Returns the row:
   * status sent (on the socket), or queued (to dispatch).
   */
  async create(deviceId: string, action: Action, actor: string, opts: { now?: Date; sink?: MessageSink } = {}): Promise<Command> {
    const { now = new Date(), sink } = opts;
    const row = this.sign(await this.keys.get(), this.row({ deviceId, action, actor, now }));
    const inserted = UUID.test(deviceId)
      ? await retryOnConflict(() => this.prisma.$queryRawUnsafe<Array<{ status: CommandStatus }>>(CREATE_SQL, deviceId, row.id, row.type, JSON.stringify(row.params), actor,
        now.toISOString(), row.expiresAt.toISOString(), JSON.stringify(auditParams(row)), row.signature, row.keyId, sink !== undefined))
      : [];
    if (inserted.length !== 1) throw notFound(`device ${deviceId}`);
    if (inserted[0]!.status === 'sent') {
      if ((await this.send([row], sink!, now)).sent.length === 1) Object.assign(row, { status: 'sent', sentAt: now });
      else await retryOnConflict(() => this.prisma.$executeRawUnsafe(REQUEUE_SQL, row.id, now.toISOString()));
    }
    return row;
  }

  /**
   * Inserts `rows` (from `row`; their devices must exist) as queued commands with one
   * `command.create` audit row each (with `batchId` when part of a bulk command), in ONE
   * multi-row statement, on `db`: a client, or the caller's transaction. Callers split large
   * batches (BatchService inserts 5,000 a statement). Signs each row first (sets its `signature`
   * and `keyId`). Throws the database's error (nothing inserted).
   */
  async insertRows(db: Prisma.TransactionClient, rows: readonly Command[]): Promise<void> {
    const { active } = await this.keys.get();
    const signatures = await active.signAll(rows.map(toEnvelope));
    rows.forEach((row, i) => this.signed(row, signatures[i]!, active.keyId));
    await db.$executeRawUnsafe(INSERT_MANY_SQL, JSON.stringify(rows.map((c) => ({
      id: c.id, deviceId: c.deviceId, type: c.type, params: c.params, createdBy: c.createdBy, batchId: c.batchId,
      createdAt: c.createdAt.toISOString(), expiresAt: c.expiresAt.toISOString(), audit: auditParams(c), signature: c.signature, keyId: c.keyId,
    }))));
  }

  /** Sets `row`'s signature and keyId with the active key (~28 µs, on the event loop) and returns it. */
  private sign(keyring: SigningKeyring, row: Command): Command {
    return this.signed(row, keyring.active.sign(toEnvelope(row)), keyring.active.keyId);
  }

  /** Sets `row`'s signature and keyId, remembered as signed by this process; returns it. */
  private signed(row: Command, signature: string, keyId: string): Command {
    row.signature = signature;
    row.keyId = keyId;
    signedHere.add(row);
    return row;
  }

  /** The row a new command is stored as (not stored yet): `id` or a fresh one, queued, expiring `ttlSeconds` after `now`. */
  row({ deviceId, action, actor, batchId, now = new Date(), id = randomUUID() }: NewCommand): Command {
    return {
      id, deviceId, type: action.type, params: action.params as Prisma.JsonValue, status: 'queued', createdBy: actor,
      batchId: batchId ?? null, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      sentAt: null, ackedAt: null, finishedAt: null, exitCode: null, stdout: null, stderr: null, reason: null, durationMs: null, result: null, signature: null, keyId: null,
    };
  }

  /** Cancels a queued or sent command (409 otherwise, 404 when unknown); audited as `command.cancel`. */
  async cancel(id: string, actor: string): Promise<Command> {
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.command.findUnique({ where: { id } });
      if (!found) throw notFound(`command ${id}`);
      const { count } = await tx.command.updateMany({ where: { id, status: { in: CANCELLABLE } }, data: { status: 'cancelled', finishedAt: new Date() } });
      if (count === 0) throw new ServiceError('conflict', `command ${id} is ${found.status}; only queued or sent commands can be cancelled`);
      await audit(tx, { actor, action: 'command.cancel', target: `device:${found.deviceId}`, params: { commandId: id, type: found.type, was: found.status } });
      return tx.command.findUniqueOrThrow({ where: { id } });
    });
  }

  async get(id: string): Promise<Command | null> {
    return this.prisma.command.findUnique({ where: { id } });
  }

  /** A device's commands, newest first. */
  async listForDevice(deviceId: string, limit = 50): Promise<Command[]> {
    return this.prisma.command.findMany({ where: { deviceId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
  }

  /**
   * Sends the device's deliverable commands to `sink`, signed, oldest first, and marks them sent.
   * Deliverable: queued and not expired; with `resend` (at connect) also those delivered before
   * but without a result: sent ones, whose delivery the previous socket may have lost, and
   * acknowledged ones, whose agent may have died or lost its socket before the result went out.
   * The agent runs a command id at most once and answers a repeat from its executed.json (the
   * stored result, or "stopped while running" when it died mid-command). A resent acknowledged
   * command keeps its status (only sentAt moves). Marking is an UPDATE under a status guard, so
   * a cancel or result that lands first wins and two concurrent deliveries never send a command
   * twice; a command marked sent whose socket closed meanwhile goes out again at the next connect.
   * An UPDATE that loses a deadlock or serialization failure runs again (up to 3 times).
   * Commands are read, marked and sent DELIVERY_PAGE at a time, and delivery stops at the first
   * page the socket does not take whole: a Mac with 50,000 pending commands costs the server one
   * page and what its socket may buffer (MAX_SOCKET_BUFFERED_BYTES), not 50,000 rows per socket.
   * At connect (`resend`) the agent is first sent the key announcements (a `keys` message), so it
   * pins a newer key before a command signed with it arrives. Returns the ids sent.
   */
  async deliverPending(deviceId: string, sink: MessageSink, opts: { resend?: boolean } = {}, now = new Date()): Promise<string[]> {
    if (!opts.resend) return this.deliverQueued(deviceId, sink, now);
    const sent: string[] = [];
    const { keysMessage } = await this.keys.get();
    if (keysMessage) sink.send(keysMessage);
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const page: { id: string; createdAt: Date }[] = await this.prisma.command.findMany({
        where: { deviceId, expiresAt: { gt: now }, status: { in: ['queued', 'sent', 'acknowledged'] }, ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: DELIVERY_PAGE,
        select: { id: true, createdAt: true },
      });
      if (page.length === 0) break;
      // Resent at connect: not an admin's command waiting now, so it takes none of the read budget's exempt sockets.
      const out = await this.send(await this.markResent(page.map((c) => c.id), now), sink, now, { bulk: true });
      sent.push(...out.sent);
      // The socket took less than it was given (full, or closed): the rest waits for the next connect.
      if (out.refusedBySocket || page.length < DELIVERY_PAGE) break;
      after = page.at(-1)!;
    }
    return sent;
  }

  /** deliverPending without resend: each page picked and marked sent in one statement (a new command's delivery is one round trip). */
  private async deliverQueued(deviceId: string, sink: MessageSink, now: Date): Promise<string[]> {
    const sent: string[] = [];
    for (;;) {
      const marked = await retryOnConflict(() => this.prisma.$queryRawUnsafe<EnvelopeSource[]>(DELIVER_PENDING_SQL, deviceId, now.toISOString(), DELIVERY_PAGE));
      const out = await this.send(marked, sink, now);
      sent.push(...out.sent);
      if (out.refusedBySocket || marked.length < DELIVERY_PAGE) return sent;
    }
  }

  /**
   * At connect: marks the commands `ids` sent (queued and sent ones) and moves sentAt of
   * acknowledged ones; returns the rows marked. Each UPDATE may lose a deadlock to another
   * delivery locking the same rows in another order (a Mac's sockets racing at connect, a
   * batch): it runs again (retryOnConflict), which is safe.
   */
  private async markResent(ids: string[], now: Date): Promise<Command[]> {
    const marked = await retryOnConflict(() => this.prisma.command.updateManyAndReturn({
      where: { id: { in: ids }, expiresAt: { gt: now }, status: { in: ['queued', 'sent'] } },
      data: { status: 'sent', sentAt: now },
    }));
    marked.push(...await retryOnConflict(() => this.prisma.command.updateManyAndReturn({ where: { id: { in: ids }, expiresAt: { gt: now }, status: 'acknowledged' }, data: { sentAt: now } })));
    return marked;
  }

  /**
   * Delivers a batch's queued commands to their devices whose sockets are in `sinks` (deviceId ->
   * socket). `commands`: the batch's rows just inserted (BatchService hands over each committed
   * chunk); when absent (a notification from another instance names only the batch) the batch's
   * queued commands are read from the database. One UPDATE marks the deliverable ones sent while
   * their envelopes are signed, then they are sent SEND_CHUNK at a time with a yield to the event
   * loop in between. Delivery comes before the answers it provokes: yielding after every few
   * hundred sends let each wave of acks, reports and results be processed before the next wave
   * went out (6 s instead of ~1 s for 10,000 Macs, measured). A target not marked (it has older
   * queued commands of its own, which deliverPending sends oldest first; or its command is no
   * longer queued) is returned in `deferred`. A command whose stored signature does not check is
   * failed instead (refuseUnsigned). Returns the ids sent and the deferred device ids.
   */
  async deliverBatch(batchId: string, sinks: ReadonlyMap<string, MessageSink>, commands?: readonly EnvelopeSource[], now = new Date()): Promise<{ sent: string[]; deferred: string[] }> {
    const rows = (commands ?? await this.prisma.$queryRawUnsafe<EnvelopeSource[]>(BATCH_QUEUED_SQL, batchId)).filter((c) => sinks.has(c.deviceId));
    if (rows.length === 0) return { sent: [], deferred: [] };
    const marking = retryOnConflict(() => this.prisma.$queryRawUnsafe<Array<{ id: string }>>(DELIVER_BATCH_SQL, batchId, rows.map((c) => c.id), now.toISOString()));
    marking.catch(() => {}); // awaited below, after checking; this only keeps it from counting as unhandled meanwhile
    // Checking signatures (none for rows signed by this process; the others in the thread pool) runs while Postgres marks.
    const { signed, refused } = await this.checkedAll(rows);
    const marked = new Set((await marking).map((r) => r.id));
    await this.refuseUnsigned(refused.filter((r) => marked.has(r.id)), now);
    const sent: string[] = [];
    const deferred = refused.filter((r) => !marked.has(r.id)).map((r) => r.deviceId);
    for (let i = 0; i < signed.length; i += SEND_CHUNK) {
      if (i > 0) await nextTurn();
      for (const command of signed.slice(i, i + SEND_CHUNK)) {
        if (!marked.has(command.id)) deferred.push(command.deviceId);
        else if (sinks.get(command.deviceId)!.send({ type: 'command', command }, { bulk: true })) sent.push(command.id);
      }
    }
    return { sent, deferred };
  }

  /**
   * Sends `commands` with their stored signatures oldest first (failing those that do not check);
   * stops at the first the socket refuses. Returns the ids sent, and whether the socket refused one.
   */
  private async send(commands: EnvelopeSource[], sink: MessageSink, now: Date, opts: SendOptions = {}): Promise<{ sent: string[]; refusedBySocket: boolean }> {
    if (commands.length === 0) return { sent: [], refusedBySocket: false };
    commands.sort((a, b) => {
      const [x, y] = [isoOf(a.createdAt), isoOf(b.createdAt)];
      return x < y ? -1 : x > y ? 1 : a.id.localeCompare(b.id);
    });
    const { signed, refused } = await this.checkedAll(commands);
    await this.refuseUnsigned(refused, now);
    const sent: string[] = [];
    for (const command of signed) {
      if (!sink.send({ type: 'command', command }, opts)) return { sent, refusedBySocket: true };
      sent.push(command.id);
    }
    return { sent, refusedBySocket: false };
  }

  /**
   * Splits `rows` into envelopes with their stored signatures (`signed`) and rows whose signature
   * does not check (`refused`, with the reason). Rows signed by this process are not checked again;
   * the others are, in the thread pool (SigningKeyring.refusals).
   */
  private async checkedAll(rows: readonly EnvelopeSource[]): Promise<{ signed: CommandEnvelope[]; refused: Refused[] }> {
    const keyring = await this.keys.get();
    const others = rows.filter((c) => !signedHere.has(c));
    const reasons = await keyring.refusals(others.map((c) => ({ envelope: toEnvelope(c), signature: c.signature, keyId: c.keyId })));
    const signed: CommandEnvelope[] = [];
    const refused: Refused[] = [];
    let next = 0; // `others` keeps the order of `rows`
    for (const c of rows) {
      const reason = signedHere.has(c) ? null : reasons[next++] ?? null;
      if (reason) refused.push({ id: c.id, deviceId: c.deviceId, reason });
      else signed.push({ ...toEnvelope(c), signature: c.signature!, keyId: c.keyId! });
    }
    return { signed, refused };
  }

  /**
   * Fails commands whose stored signature does not check (status failed, `reason`), each audited
   * as `command.refused` by `server`, and logs them: a row inserted straight into the database is
   * never sent to a Mac.
   */
  private async refuseUnsigned(refused: Refused[], now: Date): Promise<void> {
    if (refused.length === 0) return;
    this.log?.error({ commands: refused }, 'commands without a valid signature from their creation were failed, not sent');
    await retryOnConflict(() => this.prisma.$executeRawUnsafe(REFUSE_SQL, JSON.stringify(refused.map(({ id, reason }) => ({ id, reason }))), now.toISOString()));
  }

  /** `command.ack` from the device: queued/sent -> acknowledged. False when not this device's command or already past that. Group-committed (CommandReplies). */
  recordAck(deviceId: string, id: string, now = new Date()): Promise<boolean> {
    return this.replies.ack(deviceId, id, now);
  }

  /**
   * `command.result` from the device: stores status succeeded/failed, exit code, output tails,
   * reason, duration (ms), the whole result as JSON and finishedAt. A result that was already
   * stored is a duplicate (the agent re-sends until acked); a result for a cancelled or expired
   * command is still stored, because it tells what really ran on the Mac. Group-committed (CommandReplies).
   */
  recordResult(deviceId: string, id: string, result: CommandResult): Promise<ResultOutcome> {
    return this.replies.result(deviceId, id, result);
  }

  /** Calls `listener` for each result recorded by this instance, with the seconds from the command's creation (the API call) to the result stored. */
  onResultStored(listener: (roundTripSeconds: number) => void): void {
    this.replies.onResultStored(listener);
  }

  /**
   * The expiry job's work: queued commands past expiresAt -> expired; sent or acknowledged ones
   * with no result by then -> timed_out. Idempotent, so several instances may run it.
   */
  async expireOverdue(now = new Date()): Promise<{ expired: number; timedOut: number }> {
    return expireOverdueCommands(this.prisma, now);
  }
}
