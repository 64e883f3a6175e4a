import { randomUUID } from 'node:crypto';
import type { Action, CommandResult, CommandStatus } from '@fleetmedic/protocol';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { HttpError, notFound } from '../errors.js';
import type { MessageSink } from '../gateway/connection.js';
import { signingKey, type UnsignedEnvelope } from '../signing/signing-key.js';
import { expireOverdueCommands } from '../jobs/command-expiry.js';
import { CommandReplies, type ResultOutcome } from './replies.js';

export type { ResultOutcome };

const CANCELLABLE: CommandStatus[] = ['queued', 'sent'];
/** Rows per multi-row INSERT: 9 columns stay far below Postgres' 65,535 bind parameters. */
const INSERT_CHUNK = 2000;
/** Devices per delivery UPDATE of a bulk command: about 100 ms of signing and sending between yields. */
const DELIVER_CHUNK = 1000;

/** A Command row as the envelope the agent receives, before signing (deliverPending signs it). */
export function toEnvelope(c: Command): UnsignedEnvelope {
  return {
    id: c.id,
    deviceId: c.deviceId,
    action: { type: c.type, params: c.params } as Action,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
  };
}

/** What one new command is: for which device, what, by whom, in which bulk batch (if any). */
export interface NewCommand {
  deviceId: string;
  action: Action;
  actor: string;
  batchId?: string;
  now?: Date;
}

/**
 * The Command lifecycle in Postgres: queued -> sent -> acknowledged -> succeeded | failed, or
 * expired (never delivered before expiresAt), timed_out (delivered, no result before expiresAt),
 * cancelled (by an operator while queued or sent). Delivery itself is the dispatcher's job;
 * every envelope leaves signed with the fleet's Ed25519 key (signing/signing-key.ts).
 */
export class CommandService {
  private readonly replies: CommandReplies;

  constructor(private readonly prisma: PrismaClient, private readonly ttlSeconds: number) {
    this.replies = new CommandReplies(prisma);
  }

  /** Queues `action` for a device (404 when unknown) and audits it as `command.create` by `actor`. */
  async create(deviceId: string, action: Action, actor: string, now = new Date()): Promise<Command> {
    return this.prisma.$transaction(async (tx) => {
      const device = await tx.device.findUnique({ where: { id: deviceId }, select: { id: true } });
      if (!device) throw notFound(`device ${deviceId}`);
      return (await this.insertMany(tx, [{ deviceId, action, actor, now }]))[0]!;
    });
  }

  /**
   * Inserts queued commands inside the caller's transaction (the devices must exist) with one
   * `command.create` audit row each (with `batchId` when part of a bulk command), in multi-row
   * INSERTs of INSERT_CHUNK rows: 20,000 commands take a few statements, not 40,000. Returns the
   * rows in input order.
   */
  async insertMany(tx: Prisma.TransactionClient, inputs: readonly NewCommand[]): Promise<Command[]> {
    const rows: Command[] = inputs.map(({ deviceId, action, actor, batchId, now = new Date() }) => ({
      id: randomUUID(), deviceId, type: action.type, params: action.params as Prisma.JsonValue, status: 'queued', createdBy: actor,
      batchId: batchId ?? null, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      sentAt: null, ackedAt: null, finishedAt: null, exitCode: null, stdout: null, stderr: null, reason: null, durationMs: null, result: null,
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await tx.command.createMany({
        data: chunk.map((c) => ({
          id: c.id, deviceId: c.deviceId, type: c.type, params: c.params as Prisma.InputJsonValue, createdBy: c.createdBy,
          batchId: c.batchId, createdAt: c.createdAt, expiresAt: c.expiresAt,
        })),
      });
      await tx.auditLog.createMany({
        data: chunk.map((c) => ({
          actor: c.createdBy, action: 'command.create', target: `device:${c.deviceId}`,
          params: { commandId: c.id, type: c.type, params: c.params as Prisma.InputJsonValue, ...(c.batchId ? { batchId: c.batchId } : {}) },
        })),
      });
    }
    return rows;
  }

  /** Cancels a queued or sent command (409 otherwise, 404 when unknown); audited as `command.cancel`. */
  async cancel(id: string, actor: string): Promise<Command> {
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.command.findUnique({ where: { id } });
      if (!found) throw notFound(`command ${id}`);
      const { count } = await tx.command.updateMany({ where: { id, status: { in: CANCELLABLE } }, data: { status: 'cancelled', finishedAt: new Date() } });
      if (count === 0) throw new HttpError(409, 'conflict', `command ${id} is ${found.status}; only queued or sent commands can be cancelled`);
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
   * command keeps its status (only sentAt moves). Marking is one UPDATE under a status guard, so
   * a cancel or result that lands first wins and two concurrent deliveries never send a command
   * twice; a command marked sent whose socket closed meanwhile goes out again at the next connect.
   * Returns the ids sent.
   */
  async deliverPending(deviceId: string, sink: MessageSink, opts: { resend?: boolean } = {}, now = new Date()): Promise<string[]> {
    const live = { deviceId, expiresAt: { gt: now } };
    const marked = await this.prisma.command.updateManyAndReturn({
      where: { ...live, status: { in: opts.resend ? ['queued', 'sent'] : ['queued'] } },
      data: { status: 'sent', sentAt: now },
    });
    if (opts.resend) {
      marked.push(...await this.prisma.command.updateManyAndReturn({ where: { ...live, status: 'acknowledged' }, data: { sentAt: now } }));
    }
    return this.send(marked, sink);
  }

  /**
   * Delivers a bulk command's queued commands to the devices whose sockets are in `sinks`
   * (deviceId -> socket), DELIVER_CHUNK devices per UPDATE ... RETURNING, yielding to the event
   * loop between chunks so heartbeats and reports keep flowing. A device with older queued
   * commands of its own is left out (returned in `deferred`): deliverPending sends its commands
   * oldest first. Returns the ids sent and the deferred device ids.
   */
  async deliverBatch(batchId: string, sinks: ReadonlyMap<string, MessageSink>, now = new Date()): Promise<{ sent: string[]; deferred: string[] }> {
    const sent: string[] = [];
    const deferred: string[] = [];
    const ids = [...sinks.keys()];
    for (let i = 0; i < ids.length; i += DELIVER_CHUNK) {
      const chunk = ids.slice(i, i + DELIVER_CHUNK);
      const older = await this.prisma.command.findMany({
        where: { deviceId: { in: chunk }, status: 'queued', OR: [{ batchId: null }, { batchId: { not: batchId } }] },
        select: { deviceId: true }, distinct: ['deviceId'],
      });
      const skip = new Set(older.map((o) => o.deviceId));
      deferred.push(...skip);
      const marked = await this.prisma.command.updateManyAndReturn({
        where: { batchId, status: 'queued', expiresAt: { gt: now }, deviceId: { in: chunk.filter((d) => !skip.has(d)) } },
        data: { status: 'sent', sentAt: now },
      });
      const key = await signingKey(this.prisma);
      for (const command of marked) {
        if (sinks.get(command.deviceId)!.send({ type: 'command', command: key.signEnvelope(toEnvelope(command)) })) sent.push(command.id);
      }
      await new Promise((r) => setImmediate(r));
    }
    return { sent, deferred };
  }

  /** Signs and sends `commands` oldest first; stops at the first the socket refuses. Returns the ids sent. */
  private async send(commands: Command[], sink: MessageSink): Promise<string[]> {
    if (commands.length === 0) return [];
    commands.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const key = await signingKey(this.prisma);
    const sent: string[] = [];
    for (const command of commands) {
      if (!sink.send({ type: 'command', command: key.signEnvelope(toEnvelope(command)) })) break;
      sent.push(command.id);
    }
    return sent;
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

  /**
   * The expiry job's work: queued commands past expiresAt -> expired; sent or acknowledged ones
   * with no result by then -> timed_out. Idempotent, so several instances may run it.
   */
  async expireOverdue(now = new Date()): Promise<{ expired: number; timedOut: number }> {
    return expireOverdueCommands(this.prisma, now);
  }
}
