import type pg from 'pg';
import type { AttemptOutcome } from '../jobs/scheduler.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why the gateway refused an agent message (label `reason` of fleetmedic_agent_messages_rejected_total). */
export type RejectReason = 'not-json' | 'too-deep' | 'invalid-message' | 'invalid-report' | 'resync' | 'binary' | 'too-large' | 'internal' | 'unavailable';

/** What the agent gateway shows at each scrape. */
export interface GatewaySource {
  /** agent sockets open on this instance */
  connections(): number;
  /** reports received and not yet committed, and their JSON text bytes */
  ingestQueue(): { reports: number; bytes: number };
}

const NO_GATEWAY: GatewaySource = { connections: () => 0, ingestQueue: () => ({ reports: 0, bytes: 0 }) };

/** Upper bounds of the command round-trip buckets, s: a lone command on a live socket takes well under a second; a Mac asleep, hours. */
export const ROUND_TRIP_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400];

/**
 * One server instance's Prometheus metrics (prom-client, a registry of its own: each instance
 * exposes only what it saw). Counters and the histogram are moved by the gateway, the command
 * service and the job scheduler; gauges are read from `sources` at each scrape. Also prom-client's
 * default process metrics (`process_*`, `nodejs_*`: CPU, RSS, heap, event-loop lag).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly ingested: Counter<'form'>;
  private readonly rejected: Counter<'reason'>;
  private readonly roundTrip: Histogram;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private gateway = NO_GATEWAY;

  constructor(pools: Record<string, pg.Pool> = {}) {
    const registers = [this.registry];
    const gateway = () => this.gateway;
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'fleetmedic_agent_connections', help: 'Agent WebSocket connections open on this instance', registers,
      collect() { this.set(gateway().connections()); },
    });
    this.ingested = new Counter({ name: 'fleetmedic_reports_ingested_total', help: 'Reports stored (committed and acked), by form: whole or delta', labelNames: ['form'], registers });
    this.rejected = new Counter({
      name: 'fleetmedic_agent_messages_rejected_total', labelNames: ['reason'], registers,
      help: 'Agent messages refused, by reason: not-json, too-deep, invalid-message, invalid-report, resync (a delta report the stored state cannot complete), binary, too-large (socket closed 1009), internal (server error)',
    });
    new Gauge({
      name: 'fleetmedic_ingest_queued_reports', help: 'Reports received and not yet committed', registers,
      collect() { this.set(gateway().ingestQueue().reports); },
    });
    new Gauge({
      name: 'fleetmedic_ingest_queued_bytes', help: 'JSON text bytes of the reports received and not yet committed', registers,
      collect() { this.set(gateway().ingestQueue().bytes); },
    });
    this.roundTrip = new Histogram({
      name: 'fleetmedic_command_round_trip_seconds', buckets: ROUND_TRIP_BUCKETS_SECONDS, registers,
      help: 'From the API call that created a command to its result stored, s (results stored by this instance)',
    });
    this.jobRuns = new Counter({ name: 'fleetmedic_job_runs_total', help: 'Scheduled job attempts on this instance, by job and outcome: ran, locked (another instance held it), not-due, failed', labelNames: ['job', 'outcome'], registers });
    const named = Object.entries(pools);
    if (named.length > 0) {
      new Gauge({
        name: 'fleetmedic_db_pool_waiting_queries', help: 'Queries waiting for a Postgres connection at scrape time, by pool', labelNames: ['pool'], registers,
        collect() { for (const [name, pool] of named) this.set({ pool: name }, pool.waitingCount); },
      });
      new Gauge({
        name: 'fleetmedic_db_pool_connections', help: 'Postgres connections open at scrape time, by pool and state: idle or busy', labelNames: ['pool', 'state'], registers,
        collect() {
          for (const [name, pool] of named) {
            this.set({ pool: name, state: 'idle' }, pool.idleCount);
            this.set({ pool: name, state: 'busy' }, pool.totalCount - pool.idleCount);
          }
        },
      });
    }
  }

  /** Reads the gateway's gauges from `source` from now on. */
  watchGateway(source: GatewaySource): void {
    this.gateway = source;
  }

  reportIngested(form: 'whole' | 'delta'): void {
    this.ingested.inc({ form });
  }

  messageRejected(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }

  /** `seconds` from a command's creation to its result stored. */
  commandRoundTrip(seconds: number): void {
    this.roundTrip.observe(seconds);
  }

  jobAttempt(job: string, outcome: AttemptOutcome): void {
    this.jobRuns.inc({ job, outcome });
  }
}
