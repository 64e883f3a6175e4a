import Type, { type Static } from 'typebox';
import { HostFacts, PRINTABLE } from './facts.js';
import { SNAPSHOT_SCHEMA_VERSION, Sections, Snapshot } from './snapshot.js';
import { SectionHashes } from './section-hashes.js';
import { Action, CommandResult } from './commands.js';

/** WebSocket close codes used by the gateway (4000-4999 are application codes). */
export const CLOSE_CODES = {
  unauthorized: 4401,
  replaced: 4409,
  badMessage: 4400,
  /** the agent left more than MAX_SOCKET_BUFFERED_BYTES of server messages unread: it reconnects and gets what is pending again */
  notReading: 4408,
  serverShutdown: 1001,
  /** a message over MAX_AGENT_MESSAGE_BYTES (RFC 6455 "message too big"); the close reason says the limit */
  messageTooBig: 1009,
} as const;

/**
 * Largest WebSocket message an agent may send, bytes (8 MiB): the server's maxPayload, and the
 * bound the agent cuts its reports to (oversize.ts in the agent) so that none is refused forever.
 */
export const MAX_AGENT_MESSAGE_BYTES = 8 * 1024 * 1024;

const Id = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/**
 * A snapshot sent as a change: the content hash of every section the snapshot has (a section
 * added after 1.0 that the agent does not collect has no hash), and the content of only the sections
 * whose hash differs from the agent's last ACKED report. The server takes the other sections from
 * its stored state; when its stored hash of such a section differs from `hashes`, it answers
 * `{ type: 'error', code: 'resync', id }` and the agent sends the same report again in full.
 */
export const DeltaSnapshot = Type.Object({
  schemaVersion: Type.Literal(SNAPSHOT_SCHEMA_VERSION),
  collectedAt: Type.String({ format: 'date-time' }),
  agentVersion: Type.String(),
  host: HostFacts,
  hashes: SectionHashes,
  sections: Type.Partial(Sections),
});
export type DeltaSnapshot = Static<typeof DeltaSnapshot>;

/**
 * Reports the agent dropped from its outbox (bounds reached while the server could not store
 * them) since the last report that said so; absent when none. Optional: older agents never send it.
 */
const OutboxDropped = Type.Optional(Type.Integer({ minimum: 1, description: 'reports dropped unsent from the outbox since the last report that told' }));
/** agent -> server: one whole snapshot; answered by `ack` with the same id once stored. */
export const FullReportMessage = Type.Object({ type: Type.Literal('report'), id: Id, outboxDropped: OutboxDropped, snapshot: Snapshot });
/** agent -> server: one snapshot as a change since the last acked report; answered by `ack`, or `error` code `resync`. */
export const DeltaReportMessage = Type.Object({ type: Type.Literal('report'), id: Id, outboxDropped: OutboxDropped, delta: DeltaSnapshot });
/** agent -> server: a report, whole (always valid) or as a delta. */
export const ReportMessage = Type.Union([FullReportMessage, DeltaReportMessage]);
/** agent -> server: a command was received and will run. */
export const CommandAckMessage = Type.Object({ type: Type.Literal('command.ack'), id: Id });
/** agent -> server: a command ended. */
export const CommandResultMessage = Type.Object({ type: Type.Literal('command.result'), id: Id, result: CommandResult });

export const AgentMessage = Type.Union([ReportMessage, CommandAckMessage, CommandResultMessage]);
export type AgentMessage = Static<typeof AgentMessage>;
export type ReportMessage = Static<typeof ReportMessage>;
export type FullReportMessage = Static<typeof FullReportMessage>;
export type DeltaReportMessage = Static<typeof DeltaReportMessage>;
export type CommandResultMessage = Static<typeof CommandResultMessage>;

/** Ed25519 signature, 64 bytes, base64url without padding. */
const Signature = Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' });
/** Ed25519 public key, raw 32 bytes, base64url without padding (the JWK "x" value). */
export const Ed25519PublicKey = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
/** A signing key's id: `keyIdOf(publicKey)` (`@fleetmedic/protocol/signing`), 16 base64url characters. */
export const SigningKeyId = Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' });

/**
 * A command as sent to the agent. Times are ISO 8601. `signature` is the server's Ed25519
 * signature of `commandSigningPayload(envelope)`; it is optional in the schema only so that an
 * agent can answer an unsigned command with that reason — agents refuse unsigned commands.
 * `keyId` names the key that signed it (servers since key rotation; absent from older servers,
 * and ignored by older agents, which check against the one key they pinned). It is not signed:
 * it only picks which pinned key to check with, and a wrong one makes the check fail.
 */
export const CommandEnvelope = Type.Object({
  id: Id,
  deviceId: Type.String(),
  action: Action,
  createdAt: Type.String(),
  expiresAt: Type.String(),
  signature: Type.Optional(Signature),
  keyId: Type.Optional(SigningKeyId),
});
export type CommandEnvelope = Static<typeof CommandEnvelope>;

/** Names the signed bytes, so a signature over a command can never be replayed as another kind of message. */
export const COMMAND_SIGNATURE_CONTEXT = 'fleetmedic-command-v1';

/**
 * The exact text a command signature covers (UTF-8 bytes): a JSON array, no whitespace, in a
 * fixed order: [COMMAND_SIGNATURE_CONTEXT, id, deviceId, action.type, params as [name, value]
 * pairs sorted by name, createdAt, expiresAt]. Both sides compute it from the envelope fields,
 * never from the received text, so key order and spacing in transit do not matter. Takes the
 * envelope unvalidated (the agent checks the signature first); a missing field encodes as null.
 */
export function commandSigningPayload(envelope: {
  id?: unknown; deviceId?: unknown; action?: unknown; createdAt?: unknown; expiresAt?: unknown;
}): string {
  const action = (typeof envelope.action === 'object' && envelope.action !== null ? envelope.action : {}) as { type?: unknown; params?: unknown };
  const params = typeof action.params === 'object' && action.params !== null ? (action.params as Record<string, unknown>) : {};
  const pairs = Object.keys(params).sort().map((k) => [k, params[k] ?? null]);
  return JSON.stringify([
    COMMAND_SIGNATURE_CONTEXT, envelope.id ?? null, envelope.deviceId ?? null, action.type ?? null, pairs, envelope.createdAt ?? null, envelope.expiresAt ?? null,
  ]);
}

/**
 * A signing key vouched for by another: `signature` is the Ed25519 signature by the key `signedBy`
 * of `keyAnnouncementPayload(announcement)`. An agent pins `publicKey` (under `keyId`) only when
 * it already pins `signedBy` and the signature checks out.
 */
export const KeyAnnouncement = Type.Object({
  keyId: SigningKeyId,
  publicKey: Ed25519PublicKey,
  signedBy: SigningKeyId,
  signature: Signature,
});
export type KeyAnnouncement = Static<typeof KeyAnnouncement>;

/** Most retirement notices one `keys` message carries (ServerKeysMessage.retired): the newest ones. */
export const MAX_RETIREMENTS_SENT = 64;

/** Names the bytes a key announcement signs (never valid as a command signature, nor the reverse). */
export const KEY_ANNOUNCEMENT_CONTEXT = 'fleetmedic-key-announcement-v1';

/** The exact text a key announcement signs (UTF-8): `[KEY_ANNOUNCEMENT_CONTEXT, keyId, publicKey]` as JSON, no whitespace. */
export function keyAnnouncementPayload(announcement: { keyId: string; publicKey: string }): string {
  return JSON.stringify([KEY_ANNOUNCEMENT_CONTEXT, announcement.keyId, announcement.publicKey]);
}

/**
 * A signing key withdrawn by the server (`keys retire`), vouched for by another: `signature` is the
 * Ed25519 signature by the key `signedBy` (the key active at the retirement) of
 * `keyRetirementPayload(retirement)`. An agent that pins `signedBy` (a key other than `keyId`
 * that descends from it: `keyId` vouched for it, directly or through others) and finds the
 * signature good unpins `keyId` and refuses commands it signs from then on.
 * `retiredAt` is when the server retired it (ISO 8601, signed too).
 */
export const KeyRetirement = Type.Object({
  keyId: SigningKeyId,
  retiredAt: Type.String({ format: 'date-time', maxLength: 40 }),
  signedBy: SigningKeyId,
  signature: Signature,
});
export type KeyRetirement = Static<typeof KeyRetirement>;

/**
 * Names the bytes a retirement notice signs: distinct from KEY_ANNOUNCEMENT_CONTEXT and
 * COMMAND_SIGNATURE_CONTEXT, so no announcement or command signature reads as a retirement, nor the reverse.
 */
export const KEY_RETIREMENT_CONTEXT = 'fleetmedic-key-retirement-v1';

/** The exact text a retirement notice signs (UTF-8): `[KEY_RETIREMENT_CONTEXT, keyId, retiredAt]` as JSON, no whitespace. */
export function keyRetirementPayload(retirement: { keyId: string; retiredAt: string }): string {
  return JSON.stringify([KEY_RETIREMENT_CONTEXT, retirement.keyId, retirement.retiredAt]);
}

/** server -> agent */
export const AckMessage = Type.Object({ type: Type.Literal('ack'), id: Id });
export const ServerCommandMessage = Type.Object({ type: Type.Literal('command'), command: CommandEnvelope });
export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: Type.Optional(Type.String()),
  code: Type.String({ description: 'bad-message | invalid-report | internal | unavailable (the database is unreachable) | resync (send report `id` again in full)' }),
  message: Type.String(),
  /**
   * Send message `id` again after at least this many seconds (codes `unavailable` and `internal`):
   * the server could not store it. Optional: agents before it ignore it and resend at reconnect.
   */
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
});
/**
 * The server's signing keys after the one pinned at enrollment, each announced by the key before
 * it, oldest first (so one message carries a whole chain), and `retired`: the notices of keys the
 * server retired, oldest first (the latest MAX_RETIREMENTS_SENT). Sent at connect, before any
 * command, and to connected agents when a key is announced or retired. Agents apply `keys` first,
 * then `retired`. Agents older than key rotation log it as an invalid message and ignore it;
 * agents older than retirement notices ignore `retired` (optional, so their schema takes it).
 */
export const ServerKeysMessage = Type.Object({
  type: Type.Literal('keys'),
  keys: Type.Array(KeyAnnouncement, { maxItems: 64 }),
  retired: Type.Optional(Type.Array(KeyRetirement, { maxItems: MAX_RETIREMENTS_SENT })),
});
export type ServerKeysMessage = Static<typeof ServerKeysMessage>;
export const ServerMessage = Type.Union([AckMessage, ServerCommandMessage, ErrorMessage, ServerKeysMessage]);
export type ServerMessage = Static<typeof ServerMessage>;


/** HTTP: POST /api/v1/enroll */
export const EnrollRequest = Type.Object({
  enrollSecret: Type.String({ minLength: 8, maxLength: 256 }),
  hardwareUuid: Type.Optional(Type.String({ maxLength: 128 })),
  deviceToken: Type.Optional(Type.String({ maxLength: 128, description: 're-enrollment: the token this agent holds; proves it is that device, which keeps its id and history' })),
  enrollmentKey: Type.Optional(Type.String({
    minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$',
    description: 'a secret this agent made once (32+ random bytes, base64url) and keeps: a retry of its first enrollment whose answer was lost gets the same device and token, not a second device',
  })),
  host: Type.Object({
    hostname: Type.String({ maxLength: 255, pattern: PRINTABLE }),
    serialNumber: Type.Union([Type.String({ maxLength: 64, pattern: PRINTABLE }), Type.Null()]),
    hardwareModel: Type.Union([Type.String({ maxLength: 64, pattern: PRINTABLE }), Type.Null()]),
    architecture: Type.String({ maxLength: 32, pattern: PRINTABLE }),
    platform: Type.String({ maxLength: 32, pattern: PRINTABLE }),
  }),
});
export type EnrollRequest = Static<typeof EnrollRequest>;
/**
 * Enrollment answer. `serverPublicKey` (servers that sign commands) is the key the agent pins
 * and checks every command's signature with; optional so agents and servers of either age still
 * understand each other.
 */
export const EnrollResponse = Type.Object({
  deviceId: Type.String(),
  deviceToken: Type.String(),
  serverPublicKey: Type.Optional(Ed25519PublicKey),
});
export type EnrollResponse = Static<typeof EnrollResponse>;
