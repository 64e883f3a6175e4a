import { CommandEnvelope, COMMAND_OUTPUT_TAIL_BYTES, validator, type AgentMessage, type CommandResult, type RemediationScope } from '@fleetmedic/protocol';
import type { Logger } from 'pino';
import { isSafeId } from '../outbox/outbox.js';
import type { CommandRunner } from '../runner/types.js';
import { planAction } from './actions.js';
import { changesState, refuseParameters } from './allow-list.js';
import { signatureRefusal, type PinnedKeys, type RetiredKeys } from './signature.js';
import type { ExecutedStore } from './executed-store.js';
import type { TccResetMarks } from './tcc-resets.js';

export interface ExecutorDeps {
  runner: CommandRunner;
  /** This agent's device id (from enrollment): commands for another device are refused. */
  deviceId: () => string | null;
  /** The server's command-signing keys this agent pinned (at enrollment, and announced since); none: every command is refused. */
  pinnedKeys: () => PinnedKeys;
  /** Keys the server retired (verified notices): a command one signs is refused naming when; none given: refused as not pinned. */
  retiredKeys?: () => RetiredKeys;
  store: ExecutedStore;
  /** What tcc.reset may touch here (default DEFAULT_REMEDIATION_SCOPE); only the agent's own options widen it. */
  scope?: RemediationScope;
  /** Sends a message to the server now if connected (results are also kept in the store). */
  send: (message: AgentMessage) => void;
  /** Collects and reports a snapshot now. */
  collectNow: (why: string) => Promise<void>;
  logger: Logger;
  now?: () => Date;
  /** Where a succeeded tcc.reset is noted for the unified-log source (macOS 27); none: not noted. */
  tccResets?: TccResetMarks;
}

const checkEnvelope = validator(CommandEnvelope);

/**
 * Runs remediation commands exactly once. For each `command` message:
 * 1. a command whose Ed25519 signature does not check out against the keys this agent pinned
 *    (unsigned, badly signed, altered, signed by a key not pinned or retired, or no key pinned) is refused with a failed result and the
 *    reason, and not remembered: it is not the server's, so it may not use up a command id;
 * 2. a command id seen before is answered with the stored result and never run again; one the
 *    agent died while running is answered "failed: stopped while running" (it may have changed
 *    the Mac halfway, so it is not run a second time), one acked but never started runs now;
 * 3. refuse (failed result with the reason, remembered apart from executions) what fails the
 *    agent's allow-list, the schema, is for another device, has expired, or expires no later than
 *    an executed id the store had to forget (ExecutedStore.forgottenThrough);
 * 4. otherwise `command.ack`, run the typed action's argument arrays through the runner, send
 *    `command.result`, and re-collect after a state-changing action.
 * Every acked command gets a result: one that cannot be recorded in executed.json before it runs
 * is not run (failed, with the reason), one whose run throws fails with the error.
 * Commands run one at a time.
 */
export class RemediationExecutor {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ExecutorDeps) {}

  /**
   * Sends the stored answer to command `id` again (`command.ack` and `command.result`), when the
   * server could not store it (a database outage). False when there is none to send: unknown,
   * or still running (its result goes out when it ends).
   */
  resendAnswer(id: string): boolean {
    const seen = this.deps.store.get(id);
    if (seen?.state !== 'done') return false;
    this.deps.send({ type: 'command.ack', id });
    this.deps.send({ type: 'command.result', id, result: seen.result });
    return true;
  }

  /** Handles one `command` envelope (unvalidated); resolves when it has been answered. */
  handle(raw: unknown): Promise<void> {
    const next = this.queue.then(() => this.process(raw)).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'command handling failed');
    });
    this.queue = next;
    return next;
  }

  private async process(raw: unknown): Promise<void> {
    const { store, send, logger } = this.deps;
    const now = () => this.deps.now?.() ?? new Date();
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !isSafeId(id)) {
      logger.warn({ id }, 'command without a usable id ignored');
      return;
    }
    const forged = signatureRefusal(raw as { signature?: unknown }, this.deps.pinnedKeys(), this.deps.retiredKeys?.());
    if (forged) {
      logger.warn({ id, reason: forged }, 'command refused');
      send({ type: 'command.result', id, result: refusal(now(), forged) });
      return;
    }
    const seen = store.get(id);
    if (seen) {
      const result = seen.state === 'done'
        ? seen.result
        : refusal(now(), 'the agent stopped while this command was running; it is not run again');
      if (seen.state === 'running') await this.remember(id, result, seen.expiresAt);
      logger.info({ id }, 'command redelivered: answering with the stored result');
      send({ type: 'command.ack', id });
      send({ type: 'command.result', id, result });
      return;
    }

    const action = (raw as { action?: unknown }).action;
    const reason =
      (typeof action === 'object' && action !== null ? refuseParameters(action as { type: string }, this.deps.scope) : 'refused: no action') ??
      schemaRefusal(raw) ??
      this.contextRefusal(raw as CommandEnvelope, now());
    if (reason) {
      const result = refusal(now(), reason);
      logger.warn({ id, reason }, 'command refused');
      const expiresAt = (raw as { expiresAt?: unknown }).expiresAt;
      await store.refuse(id, result, typeof expiresAt === 'string' && !Number.isNaN(Date.parse(expiresAt)) ? expiresAt : null)
        .catch((error: unknown) => logger.error({ id, err: error }, 'could not write executed.json: the refusal is sent anyway'));
      send({ type: 'command.result', id, result });
      return;
    }

    const envelope = raw as CommandEnvelope;
    send({ type: 'command.ack', id });
    const started = now();
    try {
      await store.start(id, started.toISOString(), envelope.expiresAt);
    } catch (error) {
      // Not run: unrecorded, a redelivery after a restart could run it a second time. The server still gets an answer.
      const result = refusal(now(), `not run: the agent could not record it in executed.json first (${(error as Error).message})`);
      logger.error({ id, err: error }, 'command not run: executed.json could not be written');
      await this.remember(id, result, envelope.expiresAt);
      send({ type: 'command.result', id, result });
      return;
    }
    let result: CommandResult;
    try {
      result = await this.execute(envelope, started);
    } catch (error) {
      result = refusal(started, `failed while running: ${(error as Error).message}`, now());
    }
    await this.remember(id, result, envelope.expiresAt);
    if (result.status === 'succeeded') this.deps.tccResets?.record(envelope.action, now());
    logger.info({ id, action: envelope.action.type, status: result.status, reason: result.reason }, 'command finished');
    send({ type: 'command.result', id, result });
    if (envelope.action.type === 'agent.collect' || (result.status === 'succeeded' && changesState(envelope.action))) {
      // A failed collect is logged by collectNow's owner; the command result stands on its own.
      await this.deps.collectNow(`after command ${id} (${envelope.action.type})`).catch((error: unknown) => logger.error({ err: error }, 'collect after command failed'));
    }
  }

  /**
   * Records a command's result (executed.json). A failed write is logged and never keeps the result
   * from being sent: the id stays remembered in memory, so a redelivery is answered, not re-run.
   */
  private async remember(id: string, result: CommandResult, expiresAt: string): Promise<void> {
    await this.deps.store.finish(id, result, expiresAt).catch((error: unknown) => {
      this.deps.logger.error({ id, err: error }, 'could not write executed.json: the result is sent anyway');
    });
  }

  private contextRefusal(envelope: CommandEnvelope, now: Date): string | null {
    const deviceId = this.deps.deviceId();
    if (deviceId && envelope.deviceId !== deviceId) return `refused: command is for device ${envelope.deviceId}, this agent is ${deviceId}`;
    const expires = Date.parse(envelope.expiresAt);
    if (Number.isNaN(expires)) return `refused: expiresAt "${envelope.expiresAt}" is not a date`;
    if (expires <= now.getTime()) return `refused: command expired at ${envelope.expiresAt}`;
    const forgotten = this.deps.store.forgottenThrough();
    if (forgotten !== null && expires <= Date.parse(forgotten)) {
      return `refused: this agent no longer remembers commands expiring at or before ${forgotten}, so it cannot tell whether this one already ran`;
    }
    return null;
  }

  private async execute(envelope: CommandEnvelope, started: Date): Promise<CommandResult> {
    const { runner } = this.deps;
    const plan = await planAction(envelope.action, runner);
    if ('cannot' in plan) return refusal(started, plan.cannot, this.deps.now?.());
    const argv: string[][] = [];
    const stdout: string[] = [];
    const stderr: string[] = [];
    const reasons: string[] = [];
    let exitCode: number | null = 0;
    let ok = true;
    let removedBytes: number | null = null;
    for (const step of plan.steps) {
      if ('remove' in step) {
        const r = await runner.removeTree(step.remove);
        removedBytes = (removedBytes ?? 0) + r.removedBytes;
        stdout.push(`${r.existed ? `removed ${r.removedBytes} bytes` : 'absent'}: ${step.remove}\n`);
        if (r.problem) {
          reasons.push(r.problem);
          ok = false;
          break;
        }
        continue;
      }
      const [program, ...args] = step.argv;
      argv.push(step.argv);
      const r = await runner.run(program, args, step.asUser ? { asUser: step.asUser } : {});
      stdout.push(r.stdout);
      stderr.push(r.stderr);
      exitCode = r.exitCode;
      const judged = step.judge(r);
      reasons.push(step.scope ? `${step.scope}: ${judged.reason}` : judged.reason);
      if (!judged.ok) {
        ok = false;
        break;
      }
    }
    if (envelope.action.type === 'agent.collect') reasons.push('collect and report requested');
    if (removedBytes !== null) reasons.push(`removed ${removedBytes} bytes`);
    const finished = this.deps.now?.() ?? new Date();
    return {
      status: ok ? 'succeeded' : 'failed',
      exitCode,
      stdout: tail(stdout.join('')),
      stderr: tail(stderr.join('')),
      reason: reasons.join('; '),
      argv,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
  }
}

function schemaRefusal(raw: unknown): string | null {
  const checked = checkEnvelope(raw);
  return checked.ok ? null : `refused: invalid command: ${checked.errors.join('; ')}`;
}

/** A failed result for a command that did not run. */
function refusal(started: Date, reason: string, finished: Date = started): CommandResult {
  return {
    status: 'failed',
    exitCode: null,
    stdout: '',
    stderr: '',
    reason,
    argv: [],
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
  };
}

/** The last COMMAND_OUTPUT_TAIL_BYTES bytes of an output (the end says how it finished). */
export function tail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= COMMAND_OUTPUT_TAIL_BYTES) return text;
  return bytes.subarray(bytes.length - COMMAND_OUTPUT_TAIL_BYTES).toString('utf8').replace(/^\uFFFD+/, '');
}
