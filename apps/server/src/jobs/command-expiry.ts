import type { CommandStatus } from '@fleetmedic/protocol';
import type { JobDb, ScheduledJob } from './scheduler.js';

const IN_FLIGHT: CommandStatus[] = ['sent', 'acknowledged'];

/**
 * Queued commands past expiresAt -> `expired` (never delivered); sent or acknowledged ones
 * still without a result then -> `timed_out`. finishedAt = `now`. Idempotent. Returns the counts.
 */
export async function expireOverdueCommands(db: Pick<JobDb, 'command'>, now: Date): Promise<{ expired: number; timedOut: number }> {
  const expired = await db.command.updateMany({ where: { status: 'queued', expiresAt: { lte: now } }, data: { status: 'expired', finishedAt: now } });
  const timedOut = await db.command.updateMany({ where: { status: { in: IN_FLIGHT }, expiresAt: { lte: now } }, data: { status: 'timed_out', finishedAt: now } });
  return { expired: expired.count, timedOut: timedOut.count };
}

/** The command-expiry job: every `intervalSeconds`, expireOverdueCommands. */
export function commandExpiryJob(intervalSeconds: number): ScheduledJob {
  return { name: 'command-expiry', intervalSeconds, run: (db, now) => expireOverdueCommands(db, now) };
}
