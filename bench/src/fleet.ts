import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ReplayRunner, type CommandRunner, type DaemonEvent } from '@fleetmedic/agent';
import pino from 'pino';
import { REPO_ROOT } from '../../tests/support/agents.js';
import { MacModel, type Change } from './model.js';
import { SimulatedMac } from './sim-mac.js';
import { SharedRunner } from './sim-runner.js';

export interface FleetOptions {
  /** simulated Macs in this process */
  agents: number;
  /** index of the first Mac (a second process starts where the first one ends) */
  firstIndex?: number;
  /** http URL of a running FleetMedic server */
  serverUrl: string;
  enrollSecret: string;
  /** folder for the Macs' state (credentials, executed commands) and replay state */
  stateRoot: string;
  /** each Mac reports every this many seconds, at a random phase (default 60) */
  intervalSeconds?: number;
  /** chance that a report carries a change (permission flip, USB device, Zoom update); default 0.02 */
  changeProbability?: number;
  /** Macs enrolling/connecting at once (default 200) */
  connectConcurrency?: number;
  /** agent WebSocket ping interval, s (default 30) */
  heartbeatSeconds?: number;
}

/** Counters of one fleet process. Times are ms since the epoch (same clock as the server's host). */
export interface FleetStats {
  agents: number;
  enrolled: number;
  connected: number;
  connects: number;
  reports: number;
  fullReports: number;
  deltaReports: number;
  changedReports: number;
  acked: number;
  resyncs: number;
  commandsReceived: number;
  resultsAcked: number;
  /** reports acked per wall-clock second: [second, count] */
  ackedPerSecond: [number, number][];
  /** enrollments per second: [second, count] */
  enrolledPerSecond: [number, number][];
  firstEnrolledAt: number | null;
  lastEnrolledAt: number | null;
  allConnectedAt: number | null;
  rssBytes: number;
}

/** When a command reached a Mac and when the server acked its stored result (ms since the epoch). */
export interface CommandTiming {
  receivedAt: number;
  resultAckedAt?: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * N simulated Macs in one process against a running server: they enroll and connect with bounded
 * concurrency, then each reports every `intervalSeconds` at its own random phase (one timer for
 * the whole fleet), now and then with a change, and answers commands through the agent's own
 * remediation executor.
 */
export class Fleet {
  readonly macs: SimulatedMac[] = [];
  private readonly counts = {
    enrolled: 0, connects: 0, reports: 0, fullReports: 0, deltaReports: 0, changedReports: 0, acked: 0, resyncs: 0, commandsReceived: 0, resultsAcked: 0,
  };
  private readonly ackedPerSecond = new Map<number, number>();
  private readonly enrolledPerSecond = new Map<number, number>();
  private firstEnrolledAt: number | null = null;
  private lastEnrolledAt: number | null = null;
  private allConnectedAt: number | null = null;
  readonly commands = new Map<string, CommandTiming>();
  private timer: NodeJS.Timeout | null = null;
  private nextAt: Float64Array = new Float64Array(0);
  private intervalMs: number;
  private changeProbability: number;

  constructor(readonly opts: FleetOptions) {
    this.intervalMs = (opts.intervalSeconds ?? 60) * 1000;
    this.changeProbability = opts.changeProbability ?? 0.02;
  }

  /** Creates, enrolls and connects every Mac; resolves when all are connected (or after `timeoutMs`). */
  async start(timeoutMs = 600_000): Promise<void> {
    const { opts } = this;
    const models = await MacModel.loadAll();
    // One replay runner per recording, shared by its simulated Macs: SQLite in this process (a
    // sqlite3 process per simulated remediation forks this large process each time), and one
    // bound on the runner calls in flight in the whole process (open files).
    const runners = new Map<string, CommandRunner>();
    const limit = SharedRunner.limit();
    for (const m of models) {
      const replay = await ReplayRunner.open(path.join(REPO_ROOT, 'recorded-macs', m.name), { stateDir: path.join(opts.stateRoot, `replay-${m.name}`), sqlite3: null });
      runners.set(m.name, new SharedRunner(replay, limit));
    }
    const logger = pino({ level: 'silent' });
    const first = opts.firstIndex ?? 0;
    for (let i = 0; i < opts.agents; i++) {
      const index = first + i;
      const model = models[index % models.length]!;
      this.macs.push(new SimulatedMac({
        index, model, serverUrl: opts.serverUrl, enrollSecret: opts.enrollSecret,
        stateDir: path.join(opts.stateRoot, `mac-${index}`), runner: runners.get(model.name)!, logger,
        heartbeatMs: (opts.heartbeatSeconds ?? 30) * 1000,
        onEvent: (_mac, e) => this.onEvent(e),
      }));
    }
    await mkdir(opts.stateRoot, { recursive: true });
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    const worker = async () => {
      while (next < this.macs.length && Date.now() < deadline) {
        const mac = this.macs[next++]!;
        await mac.start();
        while (!mac.connected && Date.now() < deadline) await sleep(10);
      }
    };
    await Promise.all(Array.from({ length: opts.connectConcurrency ?? 200 }, worker));
    if (this.connected === this.macs.length) this.allConnectedAt = now();
    // Scheduled reports from here on, each Mac at its own phase.
    const t0 = Date.now();
    this.nextAt = Float64Array.from(this.macs, () => t0 + Math.random() * this.intervalMs);
    this.timer = setInterval(() => this.tick(), 100);
  }

  get connected(): number {
    let n = 0;
    for (const m of this.macs) if (m.connected) n += 1;
    return n;
  }

  /** Changes the schedule: report interval (s) and chance of a change per report. */
  configure(p: { intervalSeconds?: number; changeProbability?: number }): void {
    if (p.intervalSeconds !== undefined) {
      this.intervalMs = p.intervalSeconds * 1000;
      const t0 = Date.now();
      for (let i = 0; i < this.nextAt.length; i++) this.nextAt[i] = t0 + Math.random() * this.intervalMs;
    }
    if (p.changeProbability !== undefined) this.changeProbability = p.changeProbability;
  }

  /** Every Mac reports now (a burst, as after a fleet-wide collect); resolves when all reports are handed to the sockets. */
  async burst(change = false): Promise<void> {
    await Promise.all(this.macs.map((m) => m.report(change ? this.pickChange(m) : undefined)));
  }

  /**
   * Every Mac that has a Zoom camera row in its user TCC.db gets it denied (as after a bad
   * profile push) and reports; resolves once the server has stored those reports (or after
   * `timeoutMs`) with how many Macs changed and how many of their reports were stored.
   */
  async denyCamera(timeoutMs = 180_000): Promise<{ denied: number; stored: number }> {
    const changed: SimulatedMac[] = [];
    for (const mac of this.macs) {
      const denied = mac.opts.model.cameraDenied(mac.variant);
      if (!denied) continue;
      mac.variant = denied;
      changed.push(mac);
    }
    await Promise.all(changed.map((m) => m.report()));
    const stored = () => changed.filter((m) => m.latestReportAcked).length;
    const end = Date.now() + timeoutMs;
    while (stored() < changed.length && Date.now() < end) await sleep(100);
    return { denied: changed.length, stored: stored() };
  }

  stats(): FleetStats {
    return {
      agents: this.macs.length,
      connected: this.connected,
      ...this.counts,
      ackedPerSecond: [...this.ackedPerSecond],
      enrolledPerSecond: [...this.enrolledPerSecond],
      firstEnrolledAt: this.firstEnrolledAt,
      lastEnrolledAt: this.lastEnrolledAt,
      allConnectedAt: this.allConnectedAt,
      rssBytes: process.memoryUsage().rss,
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // In slices: 10,000 closes at once starve the event loop of its own close handshakes.
    for (let i = 0; i < this.macs.length; i += 500) await Promise.all(this.macs.slice(i, i + 500).map((m) => m.stop()));
  }

  private tick(): void {
    const t = Date.now();
    for (let i = 0; i < this.macs.length; i++) {
      if (this.nextAt[i]! > t) continue;
      // Jitter each period by ±10 % so the phases drift like real schedules.
      this.nextAt[i] = t + this.intervalMs * (0.9 + Math.random() * 0.2);
      const mac = this.macs[i]!;
      if (!mac.connected) continue;
      void mac.report(Math.random() < this.changeProbability ? this.pickChange(mac) : undefined);
    }
  }

  private pickChange(mac: SimulatedMac): Change | undefined {
    const choices = mac.opts.model.changes;
    return choices[Math.floor(Math.random() * choices.length)];
  }

  private onEvent(e: DaemonEvent): void {
    const c = this.counts;
    switch (e.type) {
      case 'enrolled': {
        c.enrolled += 1;
        const t = now();
        this.firstEnrolledAt ??= t;
        this.lastEnrolledAt = t;
        bump(this.enrolledPerSecond, Math.floor(t / 1000));
        break;
      }
      case 'connected':
        c.connects += 1;
        break;
      case 'report':
        c.reports += 1;
        if (e.full) c.fullReports += 1;
        else c.deltaReports += 1;
        if (!e.full && e.sections.length > 0) c.changedReports += 1;
        break;
      case 'acked':
        if (e.report) {
          c.acked += 1;
          bump(this.ackedPerSecond, Math.floor(now() / 1000));
        } else {
          c.resultsAcked += 1;
          const timing = this.commands.get(e.id);
          if (timing && timing.resultAckedAt === undefined) timing.resultAckedAt = now();
        }
        break;
      case 'resync':
        c.resyncs += 1;
        break;
      case 'command':
        c.commandsReceived += 1;
        if (!this.commands.has(e.id)) this.commands.set(e.id, { receivedAt: now() });
        break;
    }
  }
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
