import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { collectHost } from '../collectors/host.js';
import { collectSnapshot } from '../collectors/snapshot.js';
import { newReportId } from '../outbox/ids.js';
import { Outbox } from '../outbox/outbox.js';
import { ExecutedStore } from '../remediation/executed-store.js';
import { RemediationExecutor } from '../remediation/executor.js';
import type { CommandRunner } from '../runner/types.js';
import { AgentConnection, type IncomingMessage } from '../transport/connection.js';
import { agentSocketUrl, enroll } from '../transport/enroll.js';
import { clearCredentials, loadCredentials, saveCredentials, type Credentials } from './credentials.js';

/** Default schedule: every 15 minutes. */
export const DEFAULT_SCHEDULE = '*/15 * * * *';

export interface DaemonOptions {
  /** http(s) URL of the FleetMedic server. */
  serverUrl: string;
  enrollSecret: string;
  /** Folder for credentials.json, outbox/, executed.json. */
  stateDir: string;
  runner: CommandRunner;
  logger: Logger;
  /** cron expression (node-cron, 5 or 6 fields). Default DEFAULT_SCHEDULE. */
  schedule?: string;
  /** Random delay before each scheduled collection, in seconds (0 – jitter). Default 60. */
  jitterSeconds?: number;
  /** WebSocket ping interval, milliseconds. Default 30 000. */
  heartbeatMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  outboxMaxFiles?: number;
  outboxMaxBytes?: number;
}

/** Bad options (an invalid cron expression, ...): reported before anything starts. */
export class DaemonConfigError extends Error {
  override name = 'DaemonConfigError';
}

/**
 * The agent service (`run`): enrolls once (credentials.json, 0600), keeps one WebSocket to the
 * server, collects at start and on the schedule, keeps every report in the outbox until the
 * server acks it (resent on every reconnect), and executes remediation commands exactly once.
 */
export class AgentDaemon {
  private creds: Credentials | null = null;
  private task: ScheduledTask | null = null;
  private collecting: Promise<void> = Promise.resolve();
  private readonly connection: AgentConnection;
  private readonly executor: RemediationExecutor;

  private constructor(
    private readonly opts: DaemonOptions,
    readonly outbox: Outbox,
    store: ExecutedStore,
  ) {
    const { logger } = opts;
    this.connection = new AgentConnection({
      url: agentSocketUrl(opts.serverUrl),
      token: async () => (await this.credentials()).deviceToken,
      logger,
      heartbeatMs: opts.heartbeatMs,
      minBackoffMs: opts.minBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      onOpen: () => this.flush(),
      onMessage: (m) => this.onMessage(m),
      onUnauthorized: async () => {
        logger.warn('the server refused the device token: enrolling again');
        this.creds = null;
        await clearCredentials(opts.stateDir);
      },
    });
    this.executor = new RemediationExecutor({
      runner: opts.runner,
      deviceId: () => this.creds?.deviceId ?? null,
      store,
      send: (m) => {
        if (!this.connection.send(m)) logger.warn({ type: m.type, id: m.id }, 'not connected: the server will redeliver the command and get the stored result');
      },
      collectNow: (why) => this.collectNow(why),
      logger,
    });
  }

  /** Checks options, opens the state, collects once, connects and schedules. */
  static async start(opts: DaemonOptions): Promise<AgentDaemon> {
    const schedule = opts.schedule ?? DEFAULT_SCHEDULE;
    if (!cron.validate(schedule)) throw new DaemonConfigError(`invalid --schedule "${schedule}": not a cron expression`);
    const jitter = opts.jitterSeconds ?? 60;
    if (!Number.isFinite(jitter) || jitter < 0) throw new DaemonConfigError(`invalid --jitter ${jitter}: seconds, 0 or more`);
    await mkdir(opts.stateDir, { recursive: true });
    const outbox = await Outbox.open(path.join(opts.stateDir, 'outbox'), {
      maxFiles: opts.outboxMaxFiles,
      maxBytes: opts.outboxMaxBytes,
      onDrop: (id, reason) => opts.logger.warn({ id, reason }, 'report dropped from the outbox'),
    });
    const store = await ExecutedStore.open(path.join(opts.stateDir, 'executed.json'));
    // One spelling of the server URL, so stored credentials match it on the next start.
    const daemon = new AgentDaemon({ ...opts, serverUrl: new URL(opts.serverUrl).href }, outbox, store);
    daemon.connection.start();
    daemon.task = cron.schedule(schedule, () => daemon.collectNow('schedule'), { name: 'collect', noOverlap: true, maxRandomDelay: jitter * 1000 });
    await daemon.collectNow('start');
    return daemon;
  }

  /** Collects a snapshot, stores it in the outbox and sends it when connected. Runs one at a time. */
  collectNow(why: string): Promise<void> {
    const run = this.collecting.then(async () => {
      const { logger } = this.opts;
      try {
        const snapshot = await collectSnapshot(this.opts.runner);
        const message = { type: 'report' as const, id: newReportId(), snapshot };
        await this.outbox.add(message);
        const sent = this.connection.send(message);
        logger.info({ id: message.id, why, sent }, sent ? 'report sent' : 'report queued in the outbox');
      } catch (error) {
        logger.error({ err: error, why }, 'collection failed');
      }
    });
    this.collecting = run;
    return run;
  }

  /** Stops the schedule and the connection; the outbox stays on disk. */
  async stop(): Promise<void> {
    await this.task?.destroy();
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
    const h = await collectHost(runner);
    const answer = await enroll(serverUrl, {
      enrollSecret,
      host: { hostname: h.hostname, serialNumber: h.serialNumber, hardwareModel: h.hardwareModel, architecture: h.architecture, platform: h.platform },
    });
    const creds: Credentials = { serverUrl, ...answer, enrolledAt: new Date().toISOString() };
    await saveCredentials(stateDir, creds);
    logger.info({ deviceId: creds.deviceId }, 'enrolled');
    this.creds = creds;
    return creds;
  }

  /** Resends every waiting report, oldest first (the server ignores ids it has stored). */
  private async flush(): Promise<void> {
    const waiting = await this.outbox.list();
    for (const m of waiting) if (!this.connection.send(m)) return;
    if (waiting.length > 0) this.opts.logger.info({ count: waiting.length }, 'outbox resent');
  }

  private onMessage(m: IncomingMessage): void {
    const { logger } = this.opts;
    switch (m.type) {
      case 'ack':
        void this.outbox.remove(m.id).then((removed) => logger.debug({ id: m.id, removed }, 'report acknowledged'));
        break;
      case 'command':
        void this.executor.handle(m.command);
        break;
      case 'error':
        logger.warn({ id: m.id, code: m.code, message: m.message }, 'server reported an error');
        break;
    }
  }
}
