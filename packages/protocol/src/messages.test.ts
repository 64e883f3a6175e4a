// The fields added for database outages (issue 15 item 3) are optional and additive: an agent or
// server built before them validates the new messages with its own, older schemas (the schemas
// without the field), and the new schemas take the old messages.
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { AckMessage, DeltaReportMessage, ErrorMessage, FullReportMessage, ServerCommandMessage, ServerMessage } from './messages.js';
import { validator } from './validate.js';

const retry = { type: 'error', code: 'unavailable', id: 'report-0001', retryAfterSeconds: 5, message: 'the database is unreachable: report report-0001 was not stored; send it again in 5 seconds' };

describe('retryAfterSeconds on error messages', () => {
  it('an agent from before it accepts a retry error (and resends it at reconnect, as before)', () => {
    const before = Type.Union([AckMessage, ServerCommandMessage, Type.Omit(ErrorMessage, ['retryAfterSeconds'])]);
    expect(validator(before)(retry).ok).toBe(true);
    expect(validator(ServerMessage)(retry).ok).toBe(true);
  });

  it('is whole seconds, 0 to 3600', () => {
    expect(validator(ErrorMessage)({ ...retry, retryAfterSeconds: 2.5 }).ok).toBe(false);
    expect(validator(ErrorMessage)({ ...retry, retryAfterSeconds: 3601 }).ok).toBe(false);
    const { retryAfterSeconds: _, ...old } = retry;
    expect(validator(ErrorMessage)(old).ok).toBe(true);
  });
});

describe('outboxDropped on report messages', () => {
  /** What `schema` says about `message`'s outboxDropped (the rest of these messages is left empty on purpose). */
  const about = (schema: Parameters<typeof validator>[0], message: unknown) => {
    const result = validator(schema)(message);
    return result.ok ? [] : result.errors.filter((e) => e.includes('outboxDropped'));
  };

  it('a server from before it does not look at it; the new schema wants a whole count of at least 1', () => {
    const delta = { type: 'report', id: 'report-0002', outboxDropped: 3, delta: {} };
    expect(about(Type.Omit(DeltaReportMessage, ['outboxDropped']), { ...delta, outboxDropped: 'three' })).toEqual([]);
    expect(about(DeltaReportMessage, delta)).toEqual([]);
    expect(about(DeltaReportMessage, { ...delta, outboxDropped: 0 })).toHaveLength(1);
    expect(about(FullReportMessage, { type: 'report', id: 'report-0003', outboxDropped: 1.5, snapshot: {} })).toHaveLength(1);
  });
});
