import { randomUUID } from 'node:crypto';

/**
 * A report id that sorts by creation time: 9 base-36 digits of Unix milliseconds, a dash,
 * a random UUID (46 characters, within the protocol's `[A-Za-z0-9_-]{8,64}`).
 */
export function newReportId(now: Date = new Date()): string {
  return `${now.getTime().toString(36).padStart(9, '0')}-${randomUUID()}`;
}
