import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CommandTiming, FleetOptions, FleetStats } from './fleet.js';
import { Child } from './ipc.js';

/**
 * How long a worker may take by default to answer for its counters, a schedule change or command
 * timings, ms: a busy worker answers within seconds; one silent this long is stuck, and the bench
 * should say so instead of waiting (a stuck simulator once held the bench past its 60-minute bound,
 * with 15 minutes allowed per call, before it printed its figures).
 */
const QUICK_CALL_MS = 60_000;

/** A fleet split over one or more worker processes (bench/src/fleet-worker.ts), driven as one. */
export class FleetProcesses {
  /**
   * @param probeFirstIndex the index of the first Mac in a probe worker (= agents when there are none)
   */
  private constructor(readonly workers: Child[], readonly agents: number, private readonly quickCallMs: number, readonly probeFirstIndex: number) {}

  /**
   * Forks `processes` workers and starts `agents` Macs split evenly among them (indices
   * continue from one worker to the next, so every Mac has its own identity). With `probeAgents`,
   * that many of the `agents` (the last indices, from `probeFirstIndex`) run instead in small
   * workers of their own, one per server instance: Macs to time commands with, whose event loop
   * is not shared with thousands of others (a real Mac has its own CPU). Resolves when every
   * worker has all its Macs connected, or its start timed out.
   */
  static async start(opts: Omit<FleetOptions, 'agents' | 'firstIndex' | 'stateRoot'> & {
    agents: number; processes: number; timeoutMs?: number; stateRoot?: string;
    /** server instances: process p connects to serverUrls[p mod n] (default [serverUrl]) */
    serverUrls?: string[];
    /** the answer time of quick calls (stats, configure, command timings), ms; default QUICK_CALL_MS */
    quickCallMs?: number;
    /** Macs in probe workers (default 0) */
    probeAgents?: number;
  }): Promise<FleetProcesses> {
    const root = opts.stateRoot ?? await mkdtemp(path.join(os.tmpdir(), 'fm-fleet-'));
    const { processes: _p, timeoutMs, stateRoot: _s, serverUrls, quickCallMs: _q, probeAgents = 0, ...macs } = opts;
    const urls = serverUrls?.length ? serverUrls : [opts.serverUrl];
    const crowd = opts.agents - probeAgents;
    // [Macs, server URL] of each worker: the crowd split evenly, then one probe worker per instance.
    const plan: Array<[number, string]> = [];
    const per = Math.ceil(crowd / opts.processes);
    for (let p = 0, left = crowd; p < opts.processes && left > 0; p++, left -= per) plan.push([Math.min(per, left), urls[p % urls.length]!]);
    const probePer = Math.ceil(probeAgents / urls.length);
    for (let k = 0, left = probeAgents; left > 0; k++, left -= probePer) plan.push([Math.min(probePer, left), urls[k % urls.length]!]);
    const workers: Child[] = [];
    const starts: Promise<unknown>[] = [];
    let first = 0;
    plan.forEach(([n, serverUrl], p) => {
      const w = Child.fork('fleet-worker.ts', { nodeArgs: ['--max-old-space-size=4096'] });
      workers.push(w);
      starts.push(w.call('start', { options: { ...macs, serverUrl, agents: n, firstIndex: first, stateRoot: path.join(root, `p${p}`) } satisfies FleetOptions, timeoutMs }, (timeoutMs ?? 600_000) + 60_000));
      first += n;
    });
    const fleet = new FleetProcesses(workers, opts.agents, opts.quickCallMs ?? QUICK_CALL_MS, crowd);
    try {
      await Promise.all(starts);
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  /** Every worker's counters. */
  async statsEach(): Promise<FleetStats[]> {
    return Promise.all(this.workers.map((w) => w.call<FleetStats>('stats', undefined, this.quickCallMs)));
  }

  /** Counters summed over the workers (per-second series merged). */
  async stats(): Promise<FleetStats> {
    return sumStats(await this.statsEach());
  }

  async configure(p: { intervalSeconds?: number; changeProbability?: number }): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('configure', p, this.quickCallMs)));
  }

  /** Every Mac reports at once. */
  async burst(change = false): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('burst', { change })));
  }

  /** Denies Zoom's camera on every Mac that has the TCC row; how many, and how many of their reports the server stored (within `timeoutMs`). */
  async denyCamera(timeoutMs = 180_000): Promise<{ denied: number; stored: number }> {
    const each = await Promise.all(this.workers.map((w) => w.call<{ denied: number; stored: number }>('denyCamera', { timeoutMs }, timeoutMs + this.quickCallMs)));
    return each.reduce((a, b) => ({ denied: a.denied + b.denied, stored: a.stored + b.stored }), { denied: 0, stored: 0 });
  }

  /** When each of these commands reached its Mac and when its result was acked. */
  async commandTimings(ids: string[]): Promise<Map<string, CommandTiming>> {
    const all = await Promise.all(this.workers.map((w) => w.call<Array<CommandTiming & { id: string }>>('commands', { ids }, this.quickCallMs)));
    return new Map(all.flat().map(({ id, ...t }) => [id, t]));
  }

  /** Each worker's event-loop delay p99 and max (ms) since the previous call. */
  async loopDelays(): Promise<Array<{ p99Ms: number; maxMs: number }>> {
    return Promise.all(this.workers.map((w) => w.call<{ p99Ms: number; maxMs: number }>('loopDelay', undefined, this.quickCallMs)));
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

/** Adds counters; merges per-second series; earliest/latest times. */
export function sumStats(all: FleetStats[]): FleetStats {
  const merge = (key: 'ackedPerSecond' | 'enrolledPerSecond') => {
    const m = new Map<number, number>();
    for (const s of all) for (const [k, v] of s[key]) m.set(k, (m.get(k) ?? 0) + v);
    return [...m].sort((a, b) => a[0] - b[0]);
  };
  const num = (k: keyof FleetStats) => all.reduce((a, s) => a + (s[k] as number), 0);
  const times = (k: 'firstEnrolledAt' | 'lastEnrolledAt' | 'allConnectedAt', pick: (...n: number[]) => number) => {
    const v = all.map((s) => s[k]).filter((x): x is number => x !== null);
    return v.length ? pick(...v) : null;
  };
  return {
    agents: num('agents'), enrolled: num('enrolled'), connected: num('connected'), connects: num('connects'),
    reports: num('reports'), fullReports: num('fullReports'), deltaReports: num('deltaReports'), changedReports: num('changedReports'),
    acked: num('acked'), resyncs: num('resyncs'), commandsReceived: num('commandsReceived'), resultsAcked: num('resultsAcked'),
    ackedPerSecond: merge('ackedPerSecond'), enrolledPerSecond: merge('enrolledPerSecond'),
    firstEnrolledAt: times('firstEnrolledAt', Math.min), lastEnrolledAt: times('lastEnrolledAt', Math.max),
    allConnectedAt: all.every((s) => s.allConnectedAt !== null) ? times('allConnectedAt', Math.max) : null,
    rssBytes: num('rssBytes'),
  };
}
