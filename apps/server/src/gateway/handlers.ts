import {
  AgentMessage, CommandAckMessage, CommandResultMessage, DeltaReportMessage, FullReportMessage, validator, type AgentMessage as AgentMessageT, type ServerMessage,
} from '@fleetmedic/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CommandService } from '../commands/service.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.js';
import type { IngestBatcher } from '../ingest/batcher.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { InvalidReportError, prepareReport } from '../ingest/prepare.js';
import type { PolicyStore } from '../policy/store.js';
import { audit } from '../audit/audit.js';
import type { AgentConnection } from './connection.js';

/** What the gateway needs to act on agent messages. */
export interface GatewayDeps {
  prisma: PrismaClient;
  commands: CommandService;
  policy: PolicyStore;
  /** stores reports (group commit; acks follow the commit) */
  ingest: IngestBatcher;
  log: FastifyBaseLogger;
  /** counts reports stored and messages refused (/metrics) */
  metrics: Pick<ServerMetrics, 'reportIngested' | 'messageRejected'>;
}

/** `ok`: handled; `bad`: the message was refused (counts toward the bad-message limit); `failed`: a server-side error. */
export type HandleOutcome = 'ok' | 'bad' | 'failed';

const checkMessage = validator(AgentMessage);
const checkFullReport = validator(FullReportMessage);
const checkDeltaReport = validator(DeltaReportMessage);
const checkByType: Record<string, ReturnType<typeof validator>> = {
  // A report is whole (`snapshot`) or a delta (`delta`): the errors of the form it tried to be speak.
  report: (m) => ((m as { delta?: unknown }).delta !== undefined ? checkDeltaReport(m) : checkFullReport(m)),
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
 * Reads one text frame from an agent: parse, depth limit, validate with `validator(AgentMessage)`.
 * Returns the message, or null after answering `{ type: 'error', code, message }` on `conn`
 * (bad JSON, too deep, or invalid: the socket stays usable) and counting the refusal in `metrics`.
 */
export function readAgentMessage(conn: AgentConnection, text: string, metrics: Pick<ServerMetrics, 'messageRejected'>): AgentMessageT | null {
  let parsed: unknown;
  try {
    parsed = parseAgentJson(text);
  } catch (err) {
    conn.send({ type: 'error', code: 'bad-message', message: `not JSON: ${(err as Error).message}` });
    metrics.messageRejected('not-json');
    return null;
  }
  const depth = jsonDepth(parsed);
  if (depth > MAX_JSON_DEPTH) {
    const id = typeof (parsed as { id?: unknown }).id === 'string' ? (parsed as { id: string }).id : undefined;
    conn.send({ type: 'error', code: 'bad-message', id, message: `message nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} (a USB tree has at most 7 tiers)` });
    metrics.messageRejected('too-deep');
    return null;
  }
  const checked = checkMessage(parsed);
  if (!checked.ok) {
    const refused = refusal(parsed);
    conn.send({ type: 'error', ...refused });
    metrics.messageRejected(refused.code === 'invalid-report' ? 'invalid-report' : 'invalid-message');
    return null;
  }
  return checked.value;
}

/**
 * Acts on one message read by readAgentMessage (`bytes`: its text's length in bytes):
 * - `report` (whole or delta): ingest (batched; see IngestBatcher), then `{ type: 'ack', id }` — only
 *   after commit; a delta the stored state cannot complete gets `{ type: 'error', code: 'resync', id }`;
 * - `command.ack`: the command becomes acknowledged;
 * - `command.result`: stored, then `{ type: 'ack', id: <command id> }`. A result for a command
 *   this device does not have is acked too (nothing to store; the agent may drop it) and logged.
 * A server-side failure is answered `{ type: 'error', code: 'internal', id }` and resolves `failed`.
 */
export async function handleAgentMessage(deps: GatewayDeps, conn: AgentConnection, message: AgentMessageT, bytes: number, receivedAt = new Date()): Promise<HandleOutcome> {
  try {
    return await act(deps, conn, message, bytes, receivedAt);
  } catch (err) {
    const answer = failure(deps, conn, message, err);
    deps.metrics.messageRejected(isDatabaseUnavailable(err) ? 'unavailable' : 'internal');
    conn.send(answer);
    return 'failed';
  }
}

/**
 * Seconds an agent waits before resending a message that failed for another reason than the
 * database (a bug, logged): long enough not to hammer the server with a message that may fail again.
 */
export const INTERNAL_RETRY_AFTER_SECONDS = 60;

/**
 * The answer to a message the server could not handle: `unavailable` with a retry after
 * DATABASE_RETRY_AFTER_SECONDS while the database is unreachable (warned in one line: an outage
 * fails every report of the fleet), else `internal` with INTERNAL_RETRY_AFTER_SECONDS (logged with
 * the error). Both tell the agent when to send it again.
 */
function failure(deps: GatewayDeps, conn: AgentConnection, message: AgentMessageT, err: unknown): ServerMessage {
  const about = { deviceId: conn.deviceId, type: message.type, id: message.id };
  if (isDatabaseUnavailable(err)) {
    deps.log.warn({ ...about, err: (err as Error).message }, 'database unreachable: agent told to retry');
    return {
      type: 'error', code: 'unavailable', id: message.id, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      message: `the database is unreachable: ${message.type} ${message.id} was not stored; send it again in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
    };
  }
  deps.log.error({ ...about, err }, 'agent message failed');
  return {
    type: 'error', code: 'internal', id: message.id, retryAfterSeconds: INTERNAL_RETRY_AFTER_SECONDS,
    message: `the server could not handle ${message.type} ${message.id}; send it again in ${INTERNAL_RETRY_AFTER_SECONDS} seconds`,
  };
}

/**
 * Deepest nesting a message may have. A snapshot is about 12 levels plus the USB tree, whose
 * depth USB limits to 7 tiers of hubs; 64 leaves room and keeps the recursive validator and
 * canonical JSON far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON.parse, with what Postgres text and jsonb refuse replaced by U+FFFD, so a message holding it
 * is stored instead of failing forever: NUL characters (`\u0000`) and lone UTF-16 surrogates
 * (`\udc00`: legal JSON escapes, but not Unicode), in values and in object keys. A WebSocket
 * text frame is valid UTF-8, so both can only arrive escaped: the reviver runs only when the text
 * holds such an escape.
 */
export function parseAgentJson(text: string): unknown {
  if (!UNSTORABLE_ESCAPE.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return storable(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.every((k) => storable(k) === k)) return value;
    return Object.fromEntries(keys.map((k) => [storable(k), (value as Record<string, unknown>)[k]]));
  });
}

const UNSTORABLE_ESCAPE = /\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** `text` with NUL characters and lone surrogates replaced by U+FFFD. */
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');

/** Nesting depth of a parsed JSON value, without recursion (a hostile value may be deeper than the stack). */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

async function act(deps: GatewayDeps, conn: AgentConnection, message: AgentMessageT, bytes: number, receivedAt: Date): Promise<HandleOutcome> {
  const deviceId = conn.deviceId;
  switch (message.type) {
    case 'report': {
      let prepared;
      try {
        prepared = prepareReport(message, bytes);
      } catch (err) {
        if (!(err instanceof InvalidReportError)) throw err;
        conn.send({ type: 'error', code: 'invalid-report', id: message.id, message: `invalid report message: ${err.message}` });
        deps.metrics.messageRejected('invalid-report');
        return 'bad';
      }
      const outcome = await deps.ingest.submit(deviceId, prepared);
      deps.log.debug({ deviceId, reportId: message.id, outcome: outcome.kind, full: prepared.full, bytes }, 'report ingested');
      if (outcome.kind === 'resync') {
        conn.send({
          type: 'error', code: 'resync', id: message.id,
          message: `the server does not hold ${outcome.missing.join(', ')} with the hashes this delta names: send report ${message.id} whole`,
        });
        deps.metrics.messageRejected('resync');
        return 'ok';
      }
      if (message.outboxDropped && outcome.kind !== 'duplicate') await recordOutboxDrops(deps, deviceId, message.id, message.outboxDropped);
      deps.metrics.reportIngested(prepared.full ? 'whole' : 'delta');
      conn.send({ type: 'ack', id: message.id });
      return 'ok';
    }
    case 'command.ack': {
      // ackedAt is when the ack arrived, not when its turn came behind the socket's earlier messages.
      if (!(await deps.commands.recordAck(deviceId, message.id, receivedAt))) {
        deps.log.info({ deviceId, commandId: message.id }, 'command.ack for a command not awaiting one');
      }
      return 'ok';
    }
    case 'command.result': {
      const outcome = await deps.commands.recordResult(deviceId, message.id, message.result);
      if (outcome === 'unknown-command') deps.log.warn({ deviceId, commandId: message.id }, 'command.result for a command this device does not have');
      conn.send({ type: 'ack', id: message.id });
      return 'ok';
    }
  }
}

/**
 * An agent dropped `count` unsent reports from its outbox (bounds reached while the server could
 * not store them): warned and audited as `agent.outbox-dropped` on `device:<id>` (actor `system`),
 * so an admin finds the gap in GET /api/v1/admin/audit. A failed audit write is logged, never a
 * reason to refuse the stored report.
 */
async function recordOutboxDrops(deps: GatewayDeps, deviceId: string, reportId: string, count: number): Promise<void> {
  deps.log.warn({ deviceId, reportId, outboxDropped: count }, 'the agent dropped unsent reports from its outbox');
  try {
    await audit(deps.prisma, { actor: 'system', action: 'agent.outbox-dropped', target: `device:${deviceId}`, params: { count, reportId } });
  } catch (err) {
    deps.log.error({ err, deviceId, outboxDropped: count }, 'could not audit dropped reports');
  }
}
