import { expireOverdueCommands } from '../commands/expiry.js';
import type { ScheduledJob } from './scheduler.js';

/** The command-expiry job: every `intervalSeconds`, expireOverdueCommands (the commands own the rule; jobs only schedule it). */
export function commandExpiryJob(intervalSeconds: number): ScheduledJob {
  return { name: 'command-expiry', intervalSeconds, run: (db, now) => expireOverdueCommands(db, now) };
}
