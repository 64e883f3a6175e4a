import pino, { type Logger } from 'pino';

/** JSON logs to stderr (stdout stays for command output). `level` default: FLEETMEDIC_LOG_LEVEL or info. */
export function createLogger(level: string = process.env.FLEETMEDIC_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: 'fleetmedic-agent', level }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
