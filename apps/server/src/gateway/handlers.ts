import {
  AgentMessage, CommandAckMessage, CommandResultMessage, ReportMessage, validator, type AgentMessage as AgentMessageT,
} from '@fleetmedic/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CommandService } from '../commands/service.js';
import { ingestReport } from '../ingest/ingest.js';
import type { PolicyStore } from '../policy/store.js';
import type { AgentConnection } from './connection.js';

/** What the gateway needs to act on agent messages. */
export interface GatewayDeps {
  prisma: PrismaClient;
  commands: CommandService;
  policy: PolicyStore;
  log: FastifyBaseLogger;
}

/** `ok`: handled; `bad`: the message was refused (counts toward the bad-message limit); `failed`: a server-side error. */
export type HandleOutcome = 'ok' | 'bad' | 'failed';

const checkMessage = validator(AgentMessage);
const checkByType: Record<string, ReturnType<typeof validator>> = {
  report: validator(ReportMessage),
  'command.ack': validator(CommandAckMessage),
  'command.result': validator(CommandResultMessage),
};
const MAX_ERROR_TEXT = 2000;

/** The refusal reasons: the union's errors say little, so the schema of the message's own type speaks. */
function refusal(parsed: unknown): { code: string; id?: string; message: string } {
  const obj = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { type?: unknown; id?: unknown };
  const id = typeof obj.id === 'string' ? obj.id.slice(0, 64) : undefined;
  const check = typeof obj.type === 'string' ? checkByType[obj.type] : undefined;
  if (!check) {
    return { code: 'bad-message', id, message: `unknown message type ${JSON.stringify(obj.type ?? null)}; expected report, command.ack or command.result` };
  }
  const result = check(parsed);
  const errors = result.ok ? ['does not match the AgentMessage schema'] : result.errors;
  const code = obj.type === 'report' ? 'invalid-report' : 'bad-message';
  return { code, id, message: `invalid ${String(obj.type)} message: ${errors.join('; ')}`.slice(0, MAX_ERROR_TEXT) };
}

/**
 * Handles one text frame from an agent: parse, validate with `validator(AgentMessage)`, then
 * - `report`: ingest (one transaction), then `{ type: 'ack', id }` — only after commit;
 * - `command.ack`: the command becomes acknowledged;
 * - `command.result`: stored, then `{ type: 'ack', id: <command id> }`. A result for a command
 *   this device does not have is acked too (nothing to store; the agent may drop it) and logged.
 * Bad JSON or an invalid message gets `{ type: 'error', code, message }`; the socket stays usable.
 */
export async function handleAgentMessage(deps: GatewayDeps, conn: AgentConnection, text: string): Promise<HandleOutcome> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    conn.send({ type: 'error', code: 'bad-message', message: `not JSON: ${(err as Error).message}` });
    return 'bad';
  }
  const checked = checkMessage(parsed);
  if (!checked.ok) {
    conn.send({ type: 'error', ...refusal(parsed) });
    return 'bad';
  }
  const message: AgentMessageT = checked.value;
  try {
    await act(deps, conn, message);
    return 'ok';
  } catch (err) {
    deps.log.error({ err, deviceId: conn.deviceId, type: message.type, id: message.id }, 'agent message failed');
    conn.send({ type: 'error', code: 'internal', id: message.id, message: `the server could not handle ${message.type} ${message.id}; send it again later` });
    return 'failed';
  }
}

async function act(deps: GatewayDeps, conn: AgentConnection, message: AgentMessageT): Promise<void> {
  const deviceId = conn.deviceId;
  switch (message.type) {
    case 'report': {
      const { policy } = await deps.policy.current();
      const outcome = await ingestReport(deps.prisma, { deviceId, reportId: message.id, snapshot: message.snapshot, policy });
      deps.log.debug({ deviceId, reportId: message.id, outcome: outcome.kind }, 'report ingested');
      conn.send({ type: 'ack', id: message.id });
      return;
    }
    case 'command.ack': {
      if (!(await deps.commands.recordAck(deviceId, message.id))) {
        deps.log.info({ deviceId, commandId: message.id }, 'command.ack for a command not awaiting one');
      }
      return;
    }
    case 'command.result': {
      const outcome = await deps.commands.recordResult(deviceId, message.id, message.result);
      if (outcome === 'unknown-command') deps.log.warn({ deviceId, commandId: message.id }, 'command.result for a command this device does not have');
      conn.send({ type: 'ack', id: message.id });
      return;
    }
  }
}
