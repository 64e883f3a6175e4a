import type { HostFacts } from '@fleetmedic/protocol';
import { AgentDaemon, ExecutedStore, MemoryAckedSections, MemoryOutbox, type CommandRunner, type DaemonEvent } from '@fleetmedic/agent';
import type { Logger } from 'pino';
import { applyChange, MacModel, NO_VARIANT, type Change, type Variant } from './model.js';

export interface SimulatedMacOptions {
  /** unique in the fleet: names the Mac (hostname suffix, serial number) */
  index: number;
  model: MacModel;
  /** http URL of the FleetMedic server */
  serverUrl: string;
  enrollSecret: string;
  /** this Mac's folder for credentials.json */
  stateDir: string;
  /** the recorded Mac's replay runner, shared by the Macs of one recording (remediation commands run against it) */
  runner: CommandRunner;
  logger: Logger;
  /** WebSocket ping interval, ms */
  heartbeatMs: number;
  onEvent: (mac: SimulatedMac, event: DaemonEvent) => void;
}

/** A serial number in Apple's 12-character shape, unique per simulated Mac index: FMS + 9 digits. */
export const simSerial = (index: number) => `FMS${String(index).padStart(9, '0')}`;

/**
 * One simulated Mac: the real agent daemon (enrollment, socket, heartbeat, reconnect, outbox,
 * delta reports, remediation executor) whose collector returns its recorded Mac's snapshot under
 * its own identity, with its current variant. Reports happen when the fleet calls `report()`.
 * Unacked reports wait in memory (MemoryOutbox), the acked base and the executed command ids too:
 * a file per Mac written at each command ran 10,000 Macs of a process out of open files.
 */
export class SimulatedMac {
  variant: Variant = NO_VARIANT;
  readonly host: HostFacts;
  private daemon: AgentDaemon | null = null;
  /** this Mac's latest report and whether the server has acked it */
  private latest: { id: string; acked: boolean } | null = null;

  constructor(readonly opts: SimulatedMacOptions) {
    const base = opts.model.base.host;
    this.host = { ...base, hostname: `${base.hostname}-sim${opts.index}`, serialNumber: simSerial(opts.index) };
  }

  /** Starts the daemon: enrolls and connects in the background, collects once (sent when connected). */
  async start(): Promise<void> {
    const { opts } = this;
    this.daemon = await AgentDaemon.start({
      serverUrl: opts.serverUrl,
      enrollSecret: opts.enrollSecret,
      stateDir: opts.stateDir,
      runner: opts.runner,
      logger: opts.logger,
      schedule: null,
      heartbeatMs: opts.heartbeatMs,
      minBackoffMs: 1_000,
      maxBackoffMs: 30_000,
      collect: async () => opts.model.snapshot(this.host, this.variant, new Date()),
      host: async () => this.host,
      onEvent: (e) => {
        if (e.type === 'report') this.latest = { id: e.id, acked: false };
        else if (e.type === 'acked' && e.report && e.id === this.latest?.id) this.latest.acked = true;
        opts.onEvent(this, e);
      },
      outbox: new MemoryOutbox(20),
      ackedSections: new MemoryAckedSections(),
      executed: ExecutedStore.memory(),
      hashSection: MacModel.hash,
      sectionBytes: MacModel.bytes,
    });
  }

  get connected(): boolean {
    return this.daemon?.connected ?? false;
  }

  /** Whether the server has stored (acked) this Mac's latest report; false before the first one. */
  get latestReportAcked(): boolean {
    return this.latest?.acked ?? false;
  }

  /** Collects and reports now, after applying `change` if given. */
  report(change?: Change): Promise<void> {
    if (change) this.variant = applyChange(this.variant, change);
    return this.daemon?.collectNow(change ? `change ${change}` : 'schedule') ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}
