import Type, { type Static } from 'typebox';
import { Snapshot } from './snapshot.js';
import { Action, CommandResult } from './commands.js';

/** WebSocket close codes used by the gateway (4000-4999 are application codes). */
export const CLOSE_CODES = {
  unauthorized: 4401,
  replaced: 4409,
  badMessage: 4400,
  serverShutdown: 1001,
} as const;

const Id = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** agent -> server: one snapshot; answered by `ack` with the same id once stored. */
export const ReportMessage = Type.Object({ type: Type.Literal('report'), id: Id, snapshot: Snapshot });
/** agent -> server: a command was received and will run. */
export const CommandAckMessage = Type.Object({ type: Type.Literal('command.ack'), id: Id });
/** agent -> server: a command ended. */
export const CommandResultMessage = Type.Object({ type: Type.Literal('command.result'), id: Id, result: CommandResult });

export const AgentMessage = Type.Union([ReportMessage, CommandAckMessage, CommandResultMessage]);
export type AgentMessage = Static<typeof AgentMessage>;
export type ReportMessage = Static<typeof ReportMessage>;
export type CommandResultMessage = Static<typeof CommandResultMessage>;

/** A command as sent to the agent. Times are ISO 8601. */
export const CommandEnvelope = Type.Object({
  id: Id,
  deviceId: Type.String(),
  action: Action,
  createdAt: Type.String(),
  expiresAt: Type.String(),
});
export type CommandEnvelope = Static<typeof CommandEnvelope>;

/** server -> agent */
export const AckMessage = Type.Object({ type: Type.Literal('ack'), id: Id });
export const ServerCommandMessage = Type.Object({ type: Type.Literal('command'), command: CommandEnvelope });
export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: Type.Optional(Type.String()),
  code: Type.String({ description: 'bad-message | invalid-report | internal' }),
  message: Type.String(),
});
export const ServerMessage = Type.Union([AckMessage, ServerCommandMessage, ErrorMessage]);
export type ServerMessage = Static<typeof ServerMessage>;

/** HTTP: POST /api/v1/enroll */
export const EnrollRequest = Type.Object({
  enrollSecret: Type.String({ minLength: 8, maxLength: 256 }),
  hardwareUuid: Type.Optional(Type.String({ maxLength: 128 })),
  host: Type.Object({
    hostname: Type.String({ maxLength: 255 }),
    serialNumber: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    hardwareModel: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    architecture: Type.String({ maxLength: 32 }),
    platform: Type.String({ maxLength: 32 }),
  }),
});
export type EnrollRequest = Static<typeof EnrollRequest>;
export const EnrollResponse = Type.Object({ deviceId: Type.String(), deviceToken: Type.String() });
export type EnrollResponse = Static<typeof EnrollResponse>;
