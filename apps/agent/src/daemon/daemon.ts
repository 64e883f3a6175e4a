import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { collectHost } from '../collectors/host.js';
import { collectSnapshot } from '../collectors/snapshot.js';
import { MAX_AGENT_MESSAGE_BYTES, type FullReportMessage, type HostFacts, type RemediationScope, type ServerKeysMessage, type Snapshot } from '@fleetmedic/protocol';
import { FileAckedSections, type AckedSectionsStore } from '../outbox/acked.js';
import { DeltaReporter } from '../outbox/delta.js';
import { newReportId } from '../outbox/ids.js';
import { fitReport } from '../outbox/oversize.js';
import { Outbox } from '../outbox/outbox.js';
import type { ReportQueue } from '../outbox/queue.js';
import { ResendTimer } from '../outbox/resend-timer.js';
import { ExecutedStore } from '../remediation/executed-store.js';
import { TccResetMarks } from '../remediation/tcc-resets.js';
import { RemediationExecutor } from '../remediation/executor.js';
import type { CommandRunner } from '../runner/types.js';
import { AgentConnection, type IncomingMessage } from '../transport/connection.js';
import { agentSocketUrl, enroll, type EnrollAnswer } from '../transport/enroll.js';
import { clearCredentials, enrollmentKey, loadCredentials, previousDeviceToken, saveCredentials, type Credentials } from './credentials.js';
import { enrolledLineage, type TrustedKeys } from '../remediation/key-lineage.js';
import { applyRetirements } from '../remediation/key-retirement.js';
import { pinAnnounced, pinnedKeysOf } from '../remediation/signature.js';
import { enrollPause } from './enroll-pause.js';
import { FileSoftwareUpdateCache } from '../collectors/software-update-cache.js';
import { cronExpressionError, startSchedule, type Schedule } from './schedule.js';

/** Default schedule: every 15 minutes. */
export const DEFAULT_SCHEDULE = '*/15 * * * *';

export interface DaemonOptions {
  /** http(s) URL of the FleetMedic server. */
  serverUrl: string;
  enrollSecret: string;
  /** Folder for credentials.json, outbox/, executed.json, acked-sections.json. */
  stateDir: string;
  runner: CommandRunner;
  logger: Logger;
  /** cron expression (5 fields, or 6 with seconds first). Default DEFAULT_SCHEDULE. null: no schedule (the caller calls collectNow). */
  schedule?: string | null;
  /** Random delay before each scheduled collection, in seconds (0 – jitter). Default 60. */
  jitterSeconds?: number;
  /** What tcc.reset commands may touch (default DEFAULT_REMEDIATION_SCOPE), from the agent's own options. */
  remediationScope?: RemediationScope;
  /** WebSocket ping interval, milliseconds. Default 30 000. */
  heartbeatMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Pause after the server refused the enrollment secret (HTTP 401/403), ms, ±25% jitter. Default 3 600 000 (enroll-pause.ts says why). */
  enrollRefusedPauseMs?: number;
  outboxMaxFiles?: number;
  outboxMaxBytes?: number;
  /** Longest pause between resends of the outbox while the server says it cannot store reports, ms. Default DEFAULT_MAX_RESEND_MS (15 000). */
  maxResendMs?: number;
  /**
   * For many simulated Macs in one process (the fleet simulator); the agent uses the defaults.
   * collect: makes a snapshot (default: collectSnapshot over `runner`); outbox: where unacked
   * reports wait (default: `<state>/outbox`); ackedSections: the delta base (default
   * `<state>/acked-sections.json`); hashSection: section content hash (default contentHash);
   * sectionBytes: a section's JSON size in bytes, for the message limit (default: JSON.stringify it);
   * collectAtStart: collect once at start (default true); executed: the command ids run
   * (default `<state>/executed.json`).
   */
  collect?: () => Promise<Snapshot>;
  /** host facts sent at enrollment (default: collectHost over `runner`) */
  host?: () => Promise<HostFacts>;
  /** told about reports sent, acks, resync requests and commands received (counters, timings) */
  onEvent?: (event: DaemonEvent) => void;
  outbox?: ReportQueue;
  ackedSections?: AckedSectionsStore;
  hashSection?: (section: unknown) => string;
  sectionBytes?: (section: unknown) => number;
  collectAtStart?: boolean;
  executed?: ExecutedStore;
}

/**
 * What the daemon did, for observers (the fleet simulator's counters): enrolled, socket open, a report collected
 * (`sent` false when it waits in the outbox; `full` when not a delta; `sections` carried), an ack
 * (`report` false for a command result's ack), the server asking for a report whole, the server
 * asking to resend later (`delayMs` until the resend, null when one was already scheduled),
 * reports dropped from the full outbox, a command received.
 */
export type DaemonEvent =
  | { type: 'report'; id: string; sent: boolean; full: boolean; sections: string[] }
  | { type: 'acked'; id: string; report: boolean }
  | { type: 'resync'; id: string }
  | { type: 'retry'; id: string; code: string; delayMs: number | null }
  | { type: 'dropped'; ids: string[] }
  | { type: 'enrolled'; deviceId: string }
  | { type: 'connected' }
  | { type: 'command'; id: string };

/** Bad options (an invalid cron expression, ...): reported before anything starts. */
export class DaemonConfigError extends Error {
  override name = 'DaemonConfigError';
}

/** Throws DaemonConfigError when `schedule` is not a cron expression the agent takes. */
function checkSchedule(schedule: string): void {
  const why = cronExpressionError(schedule);
  if (why !== null) throw new DaemonConfigError(`invalid --schedule "${schedule}": not a cron expression (${why})`);
}

/**
 * The agent service (`run`): enrolls once (credentials.json, 0600), keeps one WebSocket to the
 * server, collects at start and on the schedule, keeps every report in the outbox until the
 * server acks it (resent on every reconnect; when the server says when to retry, the oldest is
 * resent on the open socket, backed off, and its ack sends the rest), and executes remediation
 * commands exactly once.
 * A refused enrollment secret (401/403) or a blocked address (429) pauses enrollment for an hour
 * or the server's Retry-After (enroll-pause.ts), logged with the reason.
 */
export class AgentDaemon {
  private creds: Credentials | null = null;
  private task: Schedule | null = null;
  /** Aborted by stop(): ends a scheduled collection's jitter pause without collecting. */
  private readonly stopping = new AbortController();
  private collecting: Promise<void> = Promise.resolve();
  /** No enrollment attempt before this time (ms since the epoch): set after a refused secret or a 429. */
  private enrollNotBefore = 0;
  /** credentials.json writes of newly pinned keys, one after another */
  private savingKeys: Promise<void> = Promise.resolve();
  private readonly connection: AgentConnection;
  private readonly executor: RemediationExecutor;
  /** tcc.reset runs completed, for the unified-log TCC source (the log keeps the old decision). */
  private readonly tccResets = new TccResetMarks();
  /** Resends the oldest waiting report on the open socket when the server could not store a report. */
  private readonly resend: ResendTimer;
  /** A resend after "retry later" is waiting for its answer: its ack sends the rest of the outbox. */
  private probing = false;
  /** Ids of messages the server could not store: a command's is answered again at each resend until its result is acked. */
  private readonly unstoredAnswers = new Set<string>();
  /** Dropped reports no stored report tells the server about yet; the next report carries the count. */
  private droppedUntold = 0;
  /** Counts carried by reports not yet acked (report id -> outboxDropped): dropped in turn, they are told again. */
  private readonly dropCounts = new Map<string, number>();
  /** `softwareupdate --list` kept in the state dir: run at most once a day. */
  private readonly softwareUpdateCache: FileSoftwareUpdateCache;

  private constructor(
    private readonly opts: DaemonOptions,
    readonly outbox: ReportQueue,
    store: ExecutedStore,
    readonly reporter: DeltaReporter,
  ) {
    const { logger } = opts;
    this.softwareUpdateCache = new FileSoftwareUpdateCache(opts.stateDir);
    this.connection = new AgentConnection({
      url: agentSocketUrl(opts.serverUrl),
      token: async () => (await this.credentials()).deviceToken,
      logger,
      heartbeatMs: opts.heartbeatMs,
      minBackoffMs: opts.minBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      onOpen: () => {
        opts.onEvent?.({ type: 'connected' });
        return this.flush();
      },
      onMessage: (m) => this.onMessage(m),
      onUnauthorized: async () => {
        logger.warn('the server refused the device token: enrolling again');
        this.creds = null;
        await clearCredentials(opts.stateDir);
      },
    });
    this.resend = new ResendTimer(
      () => this.probe().catch((error: unknown) => logger.error({ err: error }, 'could not resend the oldest report')),
      opts.maxResendMs,
    );
    this.executor = new RemediationExecutor({
      runner: opts.runner,
      deviceId: () => this.creds?.deviceId ?? null,
      pinnedKeys: () => this.creds?.serverKeys ?? {},
      retiredKeys: () => this.creds?.retiredKeys ?? {},
      store,
      send: (m) => {
        if (!this.connection.send(m)) logger.warn({ type: m.type, id: m.id }, 'not connected: the server will redeliver the command and get the stored result');
      },
      collectNow: (why) => this.collectNow(why),
      logger,
      scope: opts.remediationScope,
      tccResets: this.tccResets,
    });
  }

  /** Checks options, opens the state, collects once, connects and schedules. */
  static async start(opts: DaemonOptions): Promise<AgentDaemon> {
    const schedule = opts.schedule === undefined ? DEFAULT_SCHEDULE : opts.schedule;
    if (schedule !== null) checkSchedule(schedule);
    const jitter = opts.jitterSeconds ?? 60;
    if (!Number.isFinite(jitter) || jitter < 0) throw new DaemonConfigError(`invalid --jitter ${jitter}: seconds, 0 or more`);
    await mkdir(opts.stateDir, { recursive: true });
    const outbox = opts.outbox ?? await Outbox.open(path.join(opts.stateDir, 'outbox'), {
      maxFiles: opts.outboxMaxFiles,
      maxBytes: opts.outboxMaxBytes,
      onDrop: (id, reason) => opts.logger.warn({ id, reason }, 'report dropped from the outbox'),
    });
    const store = opts.executed ?? await ExecutedStore.open(path.join(opts.stateDir, 'executed.json'));
    const reporter = await DeltaReporter.open(opts.ackedSections ?? new FileAckedSections(opts.stateDir), { hash: opts.hashSection });
    // One spelling of the server URL, so stored credentials match it on the next start.
    const daemon = new AgentDaemon({ ...opts, serverUrl: new URL(opts.serverUrl).href }, outbox, store, reporter);
    daemon.connection.start();
    if (schedule !== null) {
      daemon.task = startSchedule(schedule, () => daemon.scheduledCollection(jitter), { logger: opts.logger });
    }
    if (opts.collectAtStart !== false) await daemon.collectNow('start');
    return daemon;
  }

  /**
   * Collects a snapshot, stores it whole in the outbox and, when connected, sends it as a delta
   * against the last acked report (only the sections that changed). Runs one at a time.
   */
  collectNow(why: string): Promise<void> {
    const run = this.collecting.then(async () => {
      const { logger } = this.opts;
      try {
        const snapshot = await (this.opts.collect ? this.opts.collect() : collectSnapshot(this.opts.runner, { tccResets: this.tccResets.list(), serverUrl: this.opts.serverUrl, softwareUpdateCache: this.softwareUpdateCache }));
        const message = this.fitted(this.withDropCount({ type: 'report' as const, id: newReportId(), snapshot }));
        this.countDropped(await this.outbox.add(message, { unchanged: this.reporter.unchangedSincePrevious(message) }));
        const wire = this.reporter.wire(message);
        const sent = this.connection.send(wire.message);
        logger.info({ id: message.id, why, sent, full: wire.full, sections: wire.sections }, sent ? 'report sent' : 'report queued in the outbox');
        this.opts.onEvent?.({ type: 'report', id: message.id, sent, full: wire.full, sections: wire.sections });
      } catch (error) {
        logger.error({ err: error, why }, 'collection failed');
      }
      // The shipped launcher exposes gc (--expose-gc): a full collection now leaves only live data
      // resident for the quarter hour the agent sleeps (docs/performance.md, "Agent").
      (globalThis as { gc?: () => void }).gc?.();
    });
    this.collecting = run;
    return run;
  }

  /** `report` carrying the count of dropped reports not told yet (outboxDropped), which it now owns. */
  private withDropCount(report: FullReportMessage): FullReportMessage {
    const count = this.droppedUntold;
    if (count === 0) return report;
    this.droppedUntold = 0;
    this.dropCounts.set(report.id, count);
    return { ...report, outboxDropped: count };
  }

  /**
   * Reports the outbox dropped to stay within its bounds (outbox.ts says which go first): counted
   * for the next report (plus the counts they carried themselves) and warned with the total.
   */
  private countDropped(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.droppedUntold += 1 + (this.dropCounts.get(id) ?? 0);
      this.dropCounts.delete(id);
    }
    this.opts.logger.warn({ dropped: ids, untold: this.droppedUntold }, `outbox full: ${ids.length} unsent report(s) dropped; the next report tells the server`);
    this.opts.onEvent?.({ type: 'dropped', ids });
  }

  /**
   * The report cut to the agent message limit before it is stored (the outbox never holds a
   * report the server would refuse forever, blocking every later one); warns with what was cut.
   */
  private fitted(report: FullReportMessage): FullReportMessage {
    const fit = fitReport(report, { sectionBytes: this.opts.sectionBytes });
    if (fit.cut.length === 0) return report;
    const limit = { limitBytes: MAX_AGENT_MESSAGE_BYTES, id: report.id, reportBytes: fit.reportBytes, fittedBytes: fit.fittedBytes, cut: fit.cut };
    this.opts.logger.warn(limit, `report ${report.id} over the ${MAX_AGENT_MESSAGE_BYTES}-byte agent message limit: ${fit.cut.map((c) => c.section).join(', ')} sent as too large to report`);
    return fit.report;
  }

  /** A scheduled collection, after a random pause of up to `jitterSeconds` so that a fleet does not report in step. */
  private async scheduledCollection(jitterSeconds: number): Promise<void> {
    try {
      await sleep(Math.random() * jitterSeconds * 1000, undefined, { signal: this.stopping.signal });
    } catch {
      return; // stopped while pausing
    }
    await this.collectNow('schedule');
  }

  /** Stops the schedule and the connection; the outbox stays on disk. */
  async stop(): Promise<void> {
    this.task?.stop();
    this.resend.cancel();
    this.stopping.abort();
    await this.connection.stop();
    await this.collecting;
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  private async credentials(): Promise<Credentials> {
    const { serverUrl, stateDir, enrollSecret, runner, logger } = this.opts;
    this.creds ??= await loadCredentials(stateDir, serverUrl);
    if (this.creds) return this.creds;
    // Waits out a pause set by the last refusal here, whatever the connection's backoff: stop() ends it.
    const wait = this.enrollNotBefore - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: this.stopping.signal });
    const h = await (this.opts.host ? this.opts.host() : collectHost(runner));
    const deviceToken = await previousDeviceToken(stateDir, serverUrl);
    const key = await enrollmentKey(stateDir);
    let answer: EnrollAnswer;
    try {
      answer = await enroll(serverUrl, {
        enrollSecret,
        ...(deviceToken ? { deviceToken } : {}),
        enrollmentKey: key,
        host: { hostname: h.hostname, serialNumber: h.serialNumber, hardwareModel: h.hardwareModel, architecture: h.architecture, platform: h.platform },
      });
    } catch (error) {
      const pause = enrollPause(error, this.opts.enrollRefusedPauseMs);
      if (pause) {
        this.enrollNotBefore = Date.now() + pause.ms;
        logger.warn({ err: (error as Error).message, retryInMs: pause.ms, retryAt: new Date(this.enrollNotBefore).toISOString() }, pause.reason);
      }
      throw error;
    }
    const serverKeys = pinnedKeysOf(answer.serverPublicKey);
    const creds: Credentials = { serverUrl, ...answer, serverKeys, keyLineage: enrolledLineage(serverKeys), enrolledAt: new Date().toISOString() };
    await saveCredentials(stateDir, creds);
    logger.info({ deviceId: creds.deviceId }, 'enrolled');
    this.opts.onEvent?.({ type: 'enrolled', deviceId: creds.deviceId });
    this.creds = creds;
    return creds;
  }

  /** Resends every waiting report, oldest first, cut against the acked base (the server ignores ids it has stored). */
  private async flush(): Promise<void> {
    const waiting = await this.outbox.list();
    for (const m of waiting) if (!this.connection.send(this.reporter.wire(m).message)) return;
    if (waiting.length > 0) this.opts.logger.info({ count: waiting.length }, 'outbox resent');
  }

  /**
   * After "retry later": resends the answers to commands the server could not store, and only the
   * oldest waiting report, so that an outage costs the server one report per agent per resend,
   * not whole outboxes; its ack sends the rest (flush).
   */
  private async probe(): Promise<void> {
    for (const id of this.unstoredAnswers) if (!this.executor.resendAnswer(id)) this.unstoredAnswers.delete(id);
    const [oldest] = await this.outbox.ids();
    const report = oldest === undefined ? null : await this.outbox.read(oldest);
    if (!report) return;
    this.probing = this.connection.send(this.reporter.wire(report).message);
  }

  /** The server lacks the sections a delta said were unchanged (e.g. after a restore): send report `id` whole. */
  private async resendWhole(id: string): Promise<void> {
    await this.reporter.resync();
    const report = await this.outbox.read(id);
    this.opts.logger.warn({ id, found: report !== null }, 'the server asked for a full report');
    if (report) this.connection.send(this.reporter.wire(report).message);
  }

  /**
   * Applies a `keys` message: pins the keys announced under a key already pinned (recording who
   * vouched for each), then applies the retirement notices a pinned key that descends from the
   * retired key signed (key-retirement.ts): in memory at once (a command signed with a new key and
   * sent right after checks out; one signed with a retired key is refused) and in credentials.json
   * right after, in order. Refused notices are logged.
   */
  private applyKeys(message: ServerKeysMessage): void {
    const { logger, stateDir } = this.opts;
    const creds = this.creds;
    if (!creds) return;
    const trust: TrustedKeys = { pinned: creds.serverKeys, lineage: creds.keyLineage ?? {}, retired: creds.retiredKeys ?? {} };
    const announced = pinAnnounced(trust, message.keys);
    for (const reason of announced.bad) logger.warn({ reason }, 'key announcement refused');
    // Keys from before this agent enrolled come with every connect: not a warning.
    for (const reason of announced.unvouched) logger.info({ reason }, 'key announcement not pinned');
    if (announced.added.length > 0) logger.info({ keyIds: announced.added }, 'pinned server signing keys announced under a pinned key');
    if (announced.learned.length > 0) logger.info({ keyIds: announced.learned }, 'learned who vouched for pinned server signing keys');
    const retired = applyRetirements(announced.keys, message.retired ?? []);
    for (const reason of retired.bad) logger.warn({ reason }, 'key retirement notice refused');
    for (const reason of retired.unvouched) logger.info({ reason }, 'key retirement notice not applied');
    const after = retired.keys;
    for (const keyId of retired.removed) {
      const why = message.retired?.some((n) => n.keyId === keyId) ? 'the server retired it' : 'announced, after its successor, under a key the server retired';
      logger.info({ keyId, retiredAt: after.retired[keyId] }, `unpinned server signing key ${keyId}: ${why} on ${after.retired[keyId]}; commands it signs are refused`);
    }
    if (after.pinned === trust.pinned && after.lineage === trust.lineage && after.retired === trust.retired) return;
    const next = { ...creds, serverKeys: after.pinned, keyLineage: after.lineage, retiredKeys: after.retired };
    this.creds = next;
    this.savingKeys = this.savingKeys.then(() => saveCredentials(stateDir, next))
      .catch((error: unknown) => logger.error({ err: error }, 'could not save the pinned keys to credentials.json: they hold until the agent restarts'));
  }

  private onMessage(m: IncomingMessage): void {
    const { logger } = this.opts;
    switch (m.type) {
      case 'ack': {
        // The base moves in memory at once (a report cut after this ack is cut against it); the
        // acked report leaves the outbox even if the base cannot be saved (the next report is
        // then cut against an older base, which the server answers with resync at worst).
        this.resend.reset();
        this.dropCounts.delete(m.id);
        this.unstoredAnswers.delete(m.id);
        if (this.probing) {
          // The server stores reports again: the rest of the outbox goes now (a repeat of this one is acked as a duplicate).
          this.probing = false;
          void this.flush().catch((error: unknown) => logger.error({ err: error }, 'could not resend the outbox'));
        }
        const base = this.reporter.ackedReport(m.id);
        void Promise.allSettled([base, this.outbox.remove(m.id)]).then(([saved, removed]) => {
          if (saved.status === 'rejected') logger.error({ err: saved.reason, id: m.id }, 'could not save the acked base (acked-sections.json)');
          if (removed.status === 'rejected') logger.error({ err: removed.reason, id: m.id }, 'could not remove an acked report from the outbox');
          else logger.debug({ id: m.id, removed: removed.value }, 'report acknowledged');
          this.opts.onEvent?.({ type: 'acked', id: m.id, report: saved.status === 'fulfilled' ? saved.value : true });
        });
        break;
      }
      case 'command':
        this.opts.onEvent?.({ type: 'command', id: String((m.command as { id?: unknown } | null)?.id) });
        void this.executor.handle(m.command);
        break;
      case 'keys':
        this.applyKeys(m);
        break;
      case 'error':
        if (m.code === 'resync' && m.id) {
          this.opts.onEvent?.({ type: 'resync', id: m.id });
          void this.resendWhole(m.id).catch((error: unknown) => logger.error({ err: error, id: m.id }, 'could not resend a report in full'));
          break;
        }
        if (m.retryAfterSeconds !== undefined && m.id) {
          // The server could not store it (database down, ...): the oldest report goes again, backed off, then the rest;
          // if `id` is a command's, its stored answer goes again with it (probe drops a report's id from the set).
          this.unstoredAnswers.add(m.id);
          const delayMs = this.resend.schedule(m.retryAfterSeconds);
          if (delayMs !== null) logger.warn({ id: m.id, code: m.code, message: m.message, resendInMs: Math.round(delayMs) }, 'the server could not store a report: resending the outbox later');
          this.opts.onEvent?.({ type: 'retry', id: m.id, code: m.code, delayMs });
          break;
        }
        logger.warn({ id: m.id, code: m.code, message: m.message }, 'server reported an error');
        break;
    }
  }
}
