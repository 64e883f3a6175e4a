// The fields added for database outages (issue 15 item 3) are optional and additive: an agent or
// server built before them validates the new messages with its own, older schemas (the schemas
// without the field), and the new schemas take the old messages.
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  AckMessage, DeltaReportMessage, ErrorMessage, FullReportMessage, MAX_RETIREMENTS_SENT, ServerCommandMessage, ServerKeysMessage, ServerMessage,
  commandSigningPayload, keyAnnouncementPayload, keyRetirementPayload,
} from './messages.js';
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

describe('key retirement notices in the keys message', () => {
  const keyId = 'AAAAAAAAAAAAAAAA';
  const other = 'BBBBBBBBBBBBBBBB';
  const signature = 'A'.repeat(86);
  const notice = { keyId, retiredAt: '2026-12-07T13:00:00.000Z', signedBy: other, signature };
  const message = { type: 'keys', keys: [], retired: [notice] };

  it('signs its own domain-separated payload: never the bytes of an announcement or a command', () => {
    expect(keyRetirementPayload(notice)).toBe('["fleetmedic-key-retirement-v1","AAAAAAAAAAAAAAAA","2026-12-07T13:00:00.000Z"]');
    // The same three strings as an announcement (publicKey in retiredAt's place) are other bytes.
    expect(keyAnnouncementPayload({ keyId, publicKey: notice.retiredAt })).not.toBe(keyRetirementPayload(notice));
    expect(commandSigningPayload({ id: keyId })).not.toBe(keyRetirementPayload(notice));
  });

  it('an agent from before notices takes the message (retired is optional); the new schema checks each notice', () => {
    expect(validator(Type.Union([AckMessage, Type.Omit(ServerKeysMessage, ['retired'])]))(message).ok).toBe(true);
    expect(validator(ServerMessage)(message).ok).toBe(true);
    expect(validator(ServerMessage)({ type: 'keys', keys: [] }).ok).toBe(true);
    expect(validator(ServerKeysMessage)({ ...message, retired: [{ ...notice, retiredAt: 'yesterday' }] }).ok).toBe(false);
    expect(validator(ServerKeysMessage)({ ...message, retired: [{ ...notice, signature: 'short' }] }).ok).toBe(false);
    expect(validator(ServerKeysMessage)({ ...message, retired: Array(MAX_RETIREMENTS_SENT + 1).fill(notice) }).ok).toBe(false);
  });
});
