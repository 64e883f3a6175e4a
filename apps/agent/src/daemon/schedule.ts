import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

/**
 * The agent's collection schedule on node-cron 4 (the design card's scheduler). node-cron sleeps
 * until the next match (one timer, no per-second wakeups) and `noOverlap` skips a run while the
 * last one is still pausing or collecting.
 */
export interface Schedule {
  stop(): void;
}

export interface ScheduleOptions {
  logger: Logger;
  /** IANA time zone for patterns that name an hour or a day; default the Mac's own zone. */
  timeZone?: string;
}

/** Cron expressions the agent takes: 5 fields, or 6 with seconds first (node-cron's syntax). Null when valid, else why not. */
export function cronExpressionError(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return `${fields.length} fields: a cron expression has 5, or 6 with seconds first`;
  const v = cron.validateDetailed(expression);
  return v.valid ? null : v.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/**
 * The zone a pattern runs in. A pattern that names no hour, day or month (every 30 seconds, every
 * 15 minutes, hourly) runs on UTC's clock: in a local zone node-cron runs the repeated hour of a
 * fall-back night once, so "every 30 seconds" would pause for an hour (measured: a 3,630 s gap in
 * America/New_York on 2025-11-02). The cost: in a zone offset by :30 or :45 an hourly `0 * * * *`
 * fires at :30/:45 local. A pattern that names an hour or a day means the Mac's wall clock.
 */
export function scheduleTimeZone(expression: string, localZone: string): string {
  const fields = expression.trim().split(/\s+/);
  const [hour, dayOfMonth, month, dayOfWeek] = fields.slice(-4);
  return [hour, dayOfMonth, month, dayOfWeek].every((f) => f === '*') ? 'UTC' : localZone;
}

/**
 * Runs `run` on `expression` until stop(). A run still going when the next falls due makes that
 * one skip (logged at debug); a run that throws is logged, and the schedule goes on.
 * Throws Error when the expression is not valid (check with cronExpressionError first).
 */
export function startSchedule(expression: string, run: () => Promise<void>, opts: ScheduleOptions): Schedule {
  const { logger } = opts;
  const localZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const task: ScheduledTask = cron.schedule(expression, () => run(), {
    timezone: scheduleTimeZone(expression, localZone),
    noOverlap: true,
    // A Mac that slept through a slot wakes to a "missed execution": expected, not a warning.
    logger: {
      info: (m) => logger.debug({ scheduler: 'node-cron' }, m),
      warn: (m) => logger.debug({ scheduler: 'node-cron' }, m),
      error: (m, err) => logger.error({ scheduler: 'node-cron', err: err ?? m }, 'scheduled collection failed'),
      debug: (m) => logger.debug({ scheduler: 'node-cron' }, String(m)),
    },
  });
  return { stop: () => void task.destroy() };
}
