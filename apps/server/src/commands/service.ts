import { randomUUID } from 'node:crypto';
import { OUTPUT_CAP_BYTES, type Action, type CommandResult, type CommandStatus } from '@fleetmedic/protocol';
import type { Command, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { HttpError, notFound } from '../errors.js';
import type { MessageSink } from '../gateway/connection.js';
import { signingKey, type UnsignedEnvelope } from '../signing/signing-key.js';
import { expireOverdueCommands } from '../jobs/command-expiry.js';

/** Statuses a result may still be recorded from: anything but an already recorded result. */
const AWAITING_RESULT: CommandStatus[] = ['queued', 'sent', 'acknowledged', 'timed_out', 'expired', 'cancelled'];
const CANCELLABLE: CommandStatus[] = ['queued', 'sent'];

/** How a `command.result` was taken. */
export type ResultOutcome = 'recorded' | 'duplicate' | 'unknown-command';

/** Keeps the last `max` characters: the end of a program's output says why it failed. */
const tail = (text: string, max = OUTPUT_CAP_BYTES): string => (text.length > max ? text.slice(text.length - max) : text);

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
  constructor(private readonly prisma: PrismaClient, private readonly ttlSeconds: number) {}

  /** Queues `action` for a device (404 when unknown) and audits it as `command.create` by `actor`. */
  async create(deviceId: string, action: Action, actor: string, now = new Date()): Promise<Command> {
    return this.prisma.$transaction(async (tx) => {
      const device = await tx.device.findUnique({ where: { id: deviceId }, select: { id: true } });
      if (!device) throw notFound(`device ${deviceId}`);
      return this.insert(tx, { deviceId, action, actor, now });
    });
  }

  /**
   * Inserts one queued command inside the caller's transaction (the device must exist) and
   * writes its `command.create` audit row (with `batchId` when part of a bulk remediation).
   */
  async insert(tx: Prisma.TransactionClient, input: NewCommand): Promise<Command> {
    const { deviceId, action, actor, batchId } = input;
    const now = input.now ?? new Date();
    const command = await tx.command.create({
      data: {
        id: randomUUID(),
        deviceId,
        type: action.type,
        params: action.params as Prisma.InputJsonValue,
        createdBy: actor,
        batchId: batchId ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      },
    });
    await audit(tx, {
      actor,
      action: 'command.create',
      target: `device:${deviceId}`,
      params: { commandId: command.id, type: action.type, params: action.params, ...(batchId ? { batchId } : {}) },
    });
    return command;
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
   * command keeps its status (only sentAt moves). Returns the ids sent.
   */
  async deliverPending(deviceId: string, sink: MessageSink, opts: { resend?: boolean } = {}, now = new Date()): Promise<string[]> {
    const statuses: CommandStatus[] = opts.resend ? ['queued', 'sent', 'acknowledged'] : ['queued'];
    const pending = await this.prisma.command.findMany({
      where: { deviceId, status: { in: statuses }, expiresAt: { gt: now } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    if (pending.length === 0) return [];
    const key = await signingKey(this.prisma);
    const sent: string[] = [];
    for (const command of pending) {
      // Mark first, from the status just read: a cancel or result that lands in between wins, and the command is then not sent.
      const { count } = await this.prisma.command.updateMany({
        where: { id: command.id, status: command.status },
        data: command.status === 'acknowledged' ? { sentAt: new Date() } : { status: 'sent', sentAt: new Date() },
      });
      if (count === 0) continue;
      if (!sink.send({ type: 'command', command: key.signEnvelope(toEnvelope(command)) })) break;
      sent.push(command.id);
    }
    return sent;
  }

  /** `command.ack` from the device: queued/sent -> acknowledged. False when not this device's command or already past that. */
  async recordAck(deviceId: string, id: string, now = new Date()): Promise<boolean> {
    const { count } = await this.prisma.command.updateMany({
      where: { id, deviceId, status: { in: ['queued', 'sent'] } },
      data: { status: 'acknowledged', ackedAt: now },
    });
    return count > 0;
  }

  /**
   * `command.result` from the device: stores status succeeded/failed, exit code, output tails,
   * reason, duration (ms), the whole result as JSON and finishedAt. A result that was already
   * stored is a duplicate (the agent re-sends until acked); a result for a cancelled or expired
   * command is still stored, because it tells what really ran on the Mac.
   */
  async recordResult(deviceId: string, id: string, result: CommandResult): Promise<ResultOutcome> {
    const found = await this.prisma.command.findUnique({ where: { id } });
    if (!found || found.deviceId !== deviceId) return 'unknown-command';
    const finishedAt = new Date(result.finishedAt);
    const { count } = await this.prisma.command.updateMany({
      where: { id, status: { in: AWAITING_RESULT } },
      data: {
        status: result.status,
        exitCode: result.exitCode,
        stdout: tail(result.stdout),
        stderr: tail(result.stderr),
        reason: result.reason ?? null,
        durationMs: Math.round(result.durationMs),
        result: result as unknown as Prisma.InputJsonValue,
        finishedAt: Number.isNaN(finishedAt.getTime()) ? new Date() : finishedAt,
      },
    });
    return count > 0 ? 'recorded' : 'duplicate';
  }

  /**
   * The expiry job's work: queued commands past expiresAt -> expired; sent or acknowledged ones
   * with no result by then -> timed_out. Idempotent, so several instances may run it.
   */
  async expireOverdue(now = new Date()): Promise<{ expired: number; timedOut: number }> {
    return expireOverdueCommands(this.prisma, now);
  }
}
