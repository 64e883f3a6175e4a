import type { CommandStatus } from '@fleetmedic/protocol';
import type { Prisma } from '../generated/prisma/client.js';

const IN_FLIGHT: CommandStatus[] = ['sent', 'acknowledged'];

/**
 * Queued commands past expiresAt -> `expired` (never delivered); sent or acknowledged ones
 * still without a result then -> `timed_out`. finishedAt = `now`. Idempotent (several instances
 * may run it). `db`: a client or an open transaction. Returns the counts.
 */
export async function expireOverdueCommands(db: Pick<Prisma.TransactionClient, 'command'>, now: Date): Promise<{ expired: number; timedOut: number }> {
  const expired = await db.command.updateMany({ where: { status: 'queued', expiresAt: { lte: now } }, data: { status: 'expired', finishedAt: now } });
  const timedOut = await db.command.updateMany({ where: { status: { in: IN_FLIGHT }, expiresAt: { lte: now } }, data: { status: 'timed_out', finishedAt: now } });
  return { expired: expired.count, timedOut: timedOut.count };
}
