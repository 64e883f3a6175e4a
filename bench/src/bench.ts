// pnpm bench [--agents 20000] [...]: the whole benchmark in one run. Starts the FleetMedic server
// in its own process on a fresh Postgres database, measures the two limits of this machine (bare
// `ws` message rate, raw multi-row `pg` insert), runs the fleet simulator, prints every figure with
// its target, and cleans up (server stopped, database dropped). Loopback only; every phase is bounded.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { cpus, totalmem } from 'node:os';
import { Command } from 'commander';
import { positiveInt } from './args.js';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { measureBareWs, type WsBaseline } from './baseline-ws.js';
import { measureRawInsert, type PgBaseline } from './baseline-pg.js';
import { FleetProcesses } from './fleet-procs.js';
import type { CommandTiming, FleetStats } from './fleet.js';
import { Child } from './ipc.js';
import { MacModel } from './model.js';
import { CpuTracker, sampleProc, openFileLimits, type ProcSample } from './proc.js';
import { check, fmt, kb, mb, percentile, table, type Figure } from './report.js';
import { adminQuery, createBenchDatabase, startServerProcess, type ServerProcess } from './server-process.js';
import { ensureOpenFiles } from './ulimit.js';

const int = positiveInt;
const o = new Command()
  .name('bench')
  .description('FleetMedic server benchmark: fleet simulator + limits of this machine, one run')
  .option('--agents <n>', 'simulated Macs (capped by the open-files limit)', int, 20_000)
  .option('--processes <n>', 'simulator processes', int, 2)
  .option('--instances <n>', 'server instances on the one database (simulator process i connects to instance i mod n, as behind a load balancer; API calls go to the first)', int, 1)
  .option('--interval <s>', 'steady state: each Mac reports every S seconds', int, 60)
  .option('--window <s>', 'length of each steady measurement window, s', int, 45)
  .option('--commands <n>', 'single commands for the round-trip percentiles', int, 300)
  .option('--command-rate <n>', 'single commands per second', int, 20)
  .option('--probe-macs <n>', 'of the Macs, this many run in small simulator processes of their own (one per instance) and take the timed single commands; 0: every Mac shares a process with thousands', int, 300)
  .option('--per-mac-bulk', 'also send a command to every Mac with one API call per Mac')
  .option('--bulk-concurrency <n>', 'API calls in flight for --per-mac-bulk', int, 64)
  .option('--database-url <url>', 'Postgres server (a database is created and dropped)', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  .option('--server-log-level <level>', 'the server\'s pino level (info shows each batch\'s plan / insert / delivery times)', 'warn')
  .option('--profile <dir>', 'run the server under node --cpu-prof, profiles into <dir>')
  .option('--server-output <dir>', 'append each server instance\'s whole output to <dir>/server-<n>.log (with --server-node-args "--trace-gc": every GC)')
  .option('--server-node-args <flags>', 'node flags for the server instances, space-separated (e.g. "--max-semi-space-size=8")', '')
  .option('--command-log <file>', 'append each timed command\'s times (JSON lines) to <file>')
  .option('--max-minutes <n>', 'stop the run after this long, printing the figures measured so far', int, 60)
  .option('--reports-per-day <n>', 'agent reports per Mac per day for the storage figures (default schedule: every 15 min)', int, 96)
  .parse()
  .opts<{ agents: number; processes: number; instances: number; interval: number; window: number; commands: number; commandRate: number; probeMacs: number; perMacBulk?: boolean; bulkConcurrency: number; databaseUrl: string; serverLogLevel: string; profile?: string; serverOutput?: string; serverNodeArgs: string; commandLog?: string; maxMinutes: number; reportsPerDay: number }>();

// Sockets: the server holds one per Mac; each simulator process holds its share.
ensureOpenFiles(o.agents + 2_000);
const limits = openFileLimits();
// The server needs its sockets plus ~100 files (Postgres pool, listeners, modules, stdio).
const maxAgents = limits.soft - 150;
// Each instance holds its share of the sockets; each simulator process holds its share too.
const agents = Math.min(o.agents, maxAgents * Math.min(o.instances, o.processes));
let servers: ServerProcess[] = [];
/** CPU seconds and RSS summed over processes (from /proc: utime + stime, what process.cpuUsage() reports inside). */
const sampleAll = (pids: number[]): ProcSample => pids.map((pid) => sampleProc(pid)).reduce((a, b) => ({ ...a, cpuSeconds: a.cpuSeconds + b.cpuSeconds, rssBytes: a.rssBytes + b.rssBytes }));
/** CPU seconds and RSS summed over every server instance. */
const sampleServers = (): ProcSample => sampleAll(servers.map((x) => x.pid));
/** CPU seconds summed over the simulator's processes (0 before they start). */
const simulatorCpu = (): number => (fleet ? sampleAll(fleet.pids).cpuSeconds : 0);
/** What the run is doing now: every RSS sample is tagged with it, so the peak names its phase. */
let phase = 'idle';
/** Where the previous phase began: its wall clock, the CPU seconds of server, simulator and Postgres then, and the machine's listen overflows. */
let phaseStart = { at: 0, server: 0, simulator: 0, postgres: 0, overflows: 0 };
/** Every `postgres` process's CPU, sampled each second with the RSS (backends come and go). */
const postgresCpu = new CpuTracker('postgres');
const phaseLines: string[] = [];
/**
 * Ends the current phase and starts `next`: notes the phase's length, the CPU seconds the server
 * instances, the simulator and Postgres (every `postgres` process of the machine) each used in it,
 * and the servers' event-loop delay over it (p99 and max of each instance, from prom-client's
 * `nodejs_eventloop_lag_*` gauges, whose histogram restarts at every scrape of /metrics), and
 * each simulator process's (the wait of every simulated Mac in it).
 */
async function enterPhase(next: string): Promise<void> {
  const at = now();
  const mark = { server: servers.length > 0 ? sampleServers().cpuSeconds : 0, simulator: simulatorCpu(), postgres: postgresCpu.sample(), overflows: listenOverflows() };
  const gauges = await Promise.all(servers.map((x) => serverGauges(x).catch(() => null)));
  const simLoops = fleet ? await fleet.loopDelays().catch(() => null) : null;
  if (phaseStart.at > 0) {
    const wall = (at - phaseStart.at) / 1000;
    const used = (k: 'server' | 'simulator' | 'postgres') => `${k} ${fmt(mark[k] - phaseStart[k], 1)}`;
    const lags = gauges.map((l) => (l ? `${fmt(l.p99Ms)}/${fmt(l.maxMs)}` : 'n/a')).join(', ');
    const heaps = gauges.map((l) => (l ? `${mb(l.heapUsedBytes)} of ${mb(l.heapTotalBytes)} (external ${mb(l.externalBytes)})` : 'n/a')).join(', ');
    phaseLines.push(`${phase}: ${fmt(wall, 1)} s; CPU s ${used('server')}, ${used('simulator')}, ${used('postgres')} (${fmt(2 * wall, 1)} on 2 cores); connections dropped at a full accept queue (this machine) ${fmt(mark.overflows - phaseStart.overflows)}; event-loop delay p99/max ms per instance ${lags}${simLoops ? `, per simulator process ${simLoops.map((l) => `${fmt(l.p99Ms)}/${fmt(l.maxMs)}`).join(', ')}` : ''}; V8 heap used at its end ${heaps}`);
    log(`phase ${phaseLines.at(-1)}`);
  }
  phase = next;
  phaseStart = { at, ...mark };
}

/**
 * The event-loop delay p99 and max (ms) since the last scrape of this instance's /metrics, and its
 * V8 heap and the memory outside it that V8 knows of (Buffers, wasm; bytes) now.
 */
async function serverGauges(x: ServerProcess): Promise<{ p99Ms: number; maxMs: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number }> {
  const res = await fetch(`${x.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`GET /metrics -> ${res.status}`);
  const text = await res.text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    p99Ms: gauge('nodejs_eventloop_lag_p99_seconds') * 1000, maxMs: gauge('nodejs_eventloop_lag_max_seconds') * 1000,
    heapUsedBytes: gauge('nodejs_heap_size_used_bytes'), heapTotalBytes: gauge('nodejs_heap_size_total_bytes'),
    externalBytes: gauge('nodejs_external_memory_bytes'),
  };
}
const rssSamples: Array<ProcSample & { phase: string }> = [];
const serverRss = () => {
  try {
    return servers.length > 0 ? ` [server RSS ${mb(sampleServers().rssBytes)}]` : '';
  } catch {
    return '';
  }
};
const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}${serverRss()}\n`);
if (agents < o.agents) log(`open files: soft ${limits.soft}, hard ${limits.hard} (cannot be raised here): a server process holds at most ~${maxAgents} sockets, so running ${agents} Macs instead of ${o.agents}`);

const ENROLL_SECRET = `bench-enroll-${Date.now()}`;
const ADMIN_TOKEN = `bench-admin-token-${Date.now()}-0123456789`;
const METRICS_TOKEN = `bench-metrics-token-${Date.now()}-0123456789`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const figures: Figure[] = [];
const notes: string[] = [];
/** Keeps a figure for the final table and logs it now: a run cut short still shows what it measured. */
const record = (...fs: Figure[]) => {
  for (const f of fs) {
    figures.push(f);
    log(`figure: ${f.name}: ${f.value}`);
  }
};

/** Polls `probe` every `everyMs` until it returns true or `ms` pass; returns whether it did. */
async function until(probe: () => Promise<boolean>, ms: number, everyMs = 500): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}

const TABLES = ['Report', 'SectionState', 'SectionChange', 'Finding', 'FindingTransition', 'HostnameChange', 'Device', 'Command', 'CommandBatch', 'AuditLog'];
const HISTORY = ['Report', 'SectionChange', 'FindingTransition', 'HostnameChange'];
async function tableSizes(dbUrl: string): Promise<Record<string, number>> {
  const rows = await adminQuery<{ name: string; bytes: string }>(dbUrl,
    `SELECT t AS name, pg_total_relation_size(quote_ident(t))::text AS bytes FROM unnest($1::text[]) AS t`, [TABLES]);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
}
/**
 * Waits until the reports not yet acked are no more than one second of the scheduled load (a
 * backlog left by one phase must not count in the next; the schedule keeps a few in flight), or,
 * since a Mac's outbox replaces an unacked report by a newer one (sent, never acked), until the
 * servers have held no more than that for three polls in a row with no socket paused.
 */
async function drain(f: FleetProcesses, ms = 180_000): Promise<boolean> {
  const inFlight = Math.ceil(agents / o.interval) + 20;
  let calm = 0;
  return until(async () => {
    const st = await f.stats();
    if (st.acked >= st.reports - inFlight) return true;
    const held = await Promise.all(servers.map((x) => api<{ backlog: number; heldBytes: number }>(x, 'GET', '/api/v1/agent/ingest-stats')));
    calm = held.reduce((a, x) => a + x.backlog, 0) <= inFlight ? calm + 1 : 0;
    return calm >= 3;
  }, ms, 500);
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
/**
 * The machine's count of connections the kernel dropped because a listening socket's accept queue
 * was full (TcpExtListenOverflows in /proc/net/netstat; NaN where unreadable): the client's SYN is
 * retried after ~1 s, so a new connection made then waits a second or more before the server sees it.
 */
const listenOverflows = (): number => {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:')).map((l) => l.split(/\s+/));
    return Number(values![names!.indexOf('ListenOverflows')]);
  } catch {
    return Number.NaN;
  }
};
const growth = (a: Record<string, number>, b: Record<string, number>, names = TABLES) => names.reduce((s, n) => s + ((b[n] ?? 0) - (a[n] ?? 0)), 0);

async function api<T>(server: ServerProcess, method: string, path: string, body?: unknown): Promise<T> {
  const call = () => fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let res: Response;
  try {
    res = await call();
  } catch (err) {
    // A kept-alive connection the server closed as it was reused: a GET is sent again, once.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    log(`${method} ${path}: ${(err as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''})`);
    if (method !== 'GET') throw err;
    res = await call();
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * The dashboard's connections: a browser keeps its connections to a server open and uses at most
 * six at once (HTTP/1.1); a seventh call waits for one of them.
 */
const dashboardConnections = new http.Agent({ keepAlive: true, maxSockets: 6 });

/**
 * POST `body` as JSON to `path` on `x` with the admin token, on the dashboard's connections or
 * (`fresh`) on a new TCP connection of its own, as a script without a connection pool does: the
 * server must accept it first. Resolves with the parsed answer; rejects on a status >= 400.
 */
function postJson<T>(x: ServerProcess, path: string, body: unknown, via: 'dashboard' | 'fresh'): Promise<T> {
  const text = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = http.request(`${x.url}${path}`, {
      method: 'POST', agent: via === 'dashboard' ? dashboardConnections : false,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`POST ${path} -> ${res.statusCode} ${answer.slice(0, 300)}`));
        else resolve(JSON.parse(answer) as T);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** Opens the dashboard's six connections (as a page load does) before a timed phase. */
async function openDashboardConnections(x: ServerProcess): Promise<void> {
  await Promise.all(Array.from({ length: 6 }, () => new Promise<void>((resolve, reject) => {
    http.get(`${x.url}/api/v1/health`, { agent: dashboardConnections }, (res) => res.resume().on('end', resolve)).on('error', reject);
  })));
}

/**
 * Waits (at most 5 minutes) until every command in `ids` has its result stored; returns the
 * timings the simulated Macs saw, the time the last one received its command and the time the
 * last result was stored, ms after `start` (NaN when some result never came), how many results
 * were stored, and for the others their status in the database ("25 acknowledged"; "" when none).
 */
async function awaitResults(f: FleetProcesses, ids: string[], start: number): Promise<{ received: CommandTiming[]; reach: number; done: number; stored: number; missing: string }> {
  let timings = await f.commandTimings(ids);
  await until(async () => {
    timings = await f.commandTimings(ids);
    return [...timings.values()].filter((t) => t.resultAckedAt).length >= ids.length;
  }, 5 * 60_000, 1000);
  const received = [...timings.values()];
  const stored = received.filter((t) => t.resultAckedAt).length;
  let missing = '';
  if (stored < ids.length) {
    const unacked = ids.filter((id) => !timings.get(id)?.resultAckedAt);
    const rows = await adminQuery<{ status: string; n: string }>(db.url,
      'SELECT status, count(*)::text AS n FROM "Command" WHERE id = ANY($1::text[]) GROUP BY status ORDER BY status', [unacked]);
    missing = rows.map((r) => `${r.n} ${r.status}`).join(', ');
  }
  return {
    received,
    reach: Math.max(...received.map((t) => t.receivedAt)) - start,
    done: Math.max(...received.map((t) => t.resultAckedAt ?? Number.NaN)) - start,
    stored,
    missing,
  };
}

/**
 * Single commands (`agent.collect`) to `targets`, `o.commandRate` a second, while the rest of the
 * run goes on; records the round trip (API call -> the Mac holds the ack of its stored result)
 * p50 / p99 and its split: API call -> sent (Command.sentAt: the server's clock, this machine's),
 * sent -> at the Mac, at the Mac -> run (the result's finishedAt, the agent's clock: the same
 * machine's), run -> result stored (the Mac holds its ack). The Mac collects and reports after
 * sending the result: not part of the round trip.
 */
async function commandProbe(label: string, targets: Array<{ id: string; hostname?: string }>, opts: { target?: boolean; via?: 'dashboard' | 'fresh' } = {}): Promise<void> {
  const { target = true, via = 'dashboard' } = opts;
  const called = new Map<string, number>();
  const macs = new Map<string, { id: string; hostname?: string }>();
  const answered: number[] = [];
  const calls: Promise<void>[] = [];
  for (const d of targets) {
    const at = now();
    calls.push(postJson<{ id: string }>(server!, `/api/v1/devices/${d.id}/commands`, { action: { type: 'agent.collect', params: {} } }, via)
      .then((c) => {
        called.set(c.id, at);
        macs.set(c.id, d);
        answered.push(now() - at);
      }));
    await sleep(1000 / o.commandRate);
  }
  await Promise.all(calls);
  const ids = [...called.keys()];
  let timings = await fleet!.commandTimings(ids);
  await until(async () => {
    timings = await fleet!.commandTimings(ids);
    return [...timings.values()].filter((t) => t.resultAckedAt).length >= ids.length;
  }, 60_000);
  // sentAt: the server's clock; finishedAt: the agent's (its result's), the same machine's clock.
  const rows = new Map((await adminQuery<{ id: string; sentAt: number | null; finishedAt: number | null }>(db.url,
    'SELECT id, (extract(epoch FROM "sentAt") * 1000)::float8 AS "sentAt", (extract(epoch FROM "finishedAt") * 1000)::float8 AS "finishedAt" FROM "Command" WHERE id = ANY($1::text[])',
    [ids])).map((r) => [r.id, { sent: r.sentAt === null ? null : Number(r.sentAt), finished: r.finishedAt === null ? null : Number(r.finishedAt) }]));
  const split = (f: (call: number, sent: number, t: CommandTiming, finished: number | null) => number | undefined) => ids.flatMap((id) => {
    const t = timings.get(id);
    const row = rows.get(id);
    const v = t && row?.sent ? f(called.get(id)!, row.sent, t, row.finished) : undefined;
    return v === undefined ? [] : [v];
  });
  const rtt = split((call, _sent, t) => (t.resultAckedAt ? t.resultAckedAt - call : undefined));
  if (o.commandLog) {
    // One line per command, in call order: when it was called and each of its times, ms since the phase's first call.
    const first = Math.min(...called.values());
    const at = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x - first));
    appendFileSync(o.commandLog, ids.map((id) => JSON.stringify({
      phase: label, id, deviceId: macs.get(id)?.id, hostname: macs.get(id)?.hostname, calledAt: called.get(id), called: at(called.get(id)), sent: at(rows.get(id)?.sent), atMac: at(timings.get(id)?.receivedAt),
      finished: at(rows.get(id)?.finished), stored: at(timings.get(id)?.resultAckedAt),
    })).join('\n') + '\n');
  }
  const p = (xs: number[]) => `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 99))} ms`;
  log(`commands ${label}: ${rtt.length}/${ids.length} round trips`);
  record({ name: `command round trip ${label}, p50 / p99 (${rtt.length} of ${ids.length}, ${o.commandRate}/s)`, value: p(rtt), ...(target ? check(percentile(rtt, 99), '<', 250, 'ms (p99)') : {}) });
  record({ name: `  of which API call -> sent (server), p50 / p99`, value: p(split((call, sent) => sent - call)) });
  record({ name: `  (API call -> answered (201, after the command is stored and handed to its Mac's instance), p50 / p99)`, value: p(answered) });
  record({ name: `  of which sent -> at the Mac, p50 / p99`, value: p(split((_call, sent, t) => t.receivedAt - sent)) });
  record({ name: `  of which at the Mac -> run (the result's finishedAt), p50 / p99`, value: p(split((_call, _sent, t, finished) => (finished === null ? undefined : finished - t.receivedAt))) });
  record({ name: `  of which run -> result stored (its ack at the Mac), p50 / p99`, value: p(split((_call, _sent, t, finished) => (t.resultAckedAt && finished !== null ? t.resultAckedAt - finished : undefined))) });
}

/** "12.3 s", or how many results were stored when some never were. */
const storedIn = (r: { done: number; stored: number; missing: string }, of: number) =>
  (r.stored === of ? `${fmt(r.done / 1000, 1)} s` : `n/a: ${fmt(r.stored)} of ${fmt(of)} in 5 min (the others: ${r.missing || 'no result seen by the Mac'})`);

/** The largest count in any one-second bucket, and the mean rate over [from, to]. */
function rates(series: [number, number][], from: number, to: number): { peak: number; mean: number; count: number } {
  const inWindow = series.filter(([s]) => s * 1000 >= from - 1000 && s * 1000 <= to);
  const count = inWindow.reduce((a, [, c]) => a + c, 0);
  return { peak: Math.max(0, ...inWindow.map(([, c]) => c)), mean: count / Math.max(0.001, (to - from) / 1000), count };
}

/** A real delta report text (no section changed) of the first recorded Mac, as the transport baseline's message. */
async function sampleDeltaText(): Promise<string> {
  const [model] = await MacModel.loadAll();
  const snapshot = model!.snapshot({ ...model!.base.host, hostname: 'baseline-mac' }, { tccFlipped: false, usbPlugged: false, zoomBumps: 0 }, new Date());
  const { sections, ...rest } = snapshot;
  return JSON.stringify({ type: 'report', id: `${Date.now().toString(36)}-00000000-0000-0000-0000-000000000000`, delta: { ...rest, hashes: sectionHashes(sections), sections: {} } });
}

const db = await createBenchDatabase(o.databaseUrl);
log(`database ${db.name} created; load average ${loadavg()} (other work on this machine skews every figure)`);
let server: ServerProcess | null = null;
let fleet: FleetProcesses | null = null;
let wsBase: WsBaseline | null = null;
let pgBase: PgBaseline | null = null;
let reported = false;
let sampler: NodeJS.Timeout | undefined;
const hardStop = setTimeout(() => {
  log(`the benchmark ran past its ${o.maxMinutes}-minute bound: stopping`);
  // The figures first: cleaning up may wait on the very thing that was stuck.
  printReport(`cut short at the ${o.maxMinutes}-minute bound: figures measured so far`);
  void cleanup().finally(() => process.exit(3));
}, o.maxMinutes * 60_000);
hardStop.unref();

async function cleanup(): Promise<void> {
  clearInterval(sampler);
  await fleet?.stop().catch(() => {});
  await Promise.all(servers.map((x) => x.stop().catch(() => {})));
  await db.drop().catch((e) => log(`could not drop ${db.name}: ${(e as Error).message}`));
}

try {
  // ---- the two limits of this machine, measured first on the idle machine -----------------------
  const text = await sampleDeltaText();
  const bare = Child.fork('baseline-ws-server.ts');
  try {
    const port = await bare.call<number>('listen');
    wsBase = await measureBareWs(port, text);
  } finally {
    await bare.stop();
  }
  log(`bare ws: ${fmt(wsBase.rate)} messages/s (${wsBase.messageBytes} B delta reports, ${wsBase.connections} sockets)`);

  // One after the other: the first applies the migrations.
  if (o.serverOutput) mkdirSync(o.serverOutput, { recursive: true });
  for (let i = 0; i < o.instances; i++) {
    servers.push(await startServerProcess({
      databaseUrl: db.url, enrollSecret: ENROLL_SECRET, adminToken: ADMIN_TOKEN, logLevel: o.serverLogLevel,
      nodeArgs: [...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`] : []), ...o.serverNodeArgs.split(' ').filter(Boolean)], metricsToken: METRICS_TOKEN,
      outputFile: o.serverOutput ? path.join(o.serverOutput, `server-${i + 1}.log`) : undefined,
    }));
  }
  server = servers[0]!;
  pgBase = await measureRawInsert(db.url, 200);
  log(`raw pg insert: ${fmt(pgBase.rate)} rows/s (${pgBase.batchSize} rows per INSERT, ${pgBase.connections} connections)`);
  const idle = sampleServers();
  sampler = setInterval(() => {
    try {
      rssSamples.push({ ...sampleServers(), phase });
      postgresCpu.sample();
    } catch { /* gone */ }
  }, 1000);
  log(`${servers.length} server instance(s), pid ${servers.map((x) => x.pid).join(', ')} on ${servers.map((x) => x.url).join(', ')}: idle RSS ${mb(idle.rssBytes)}`);

  // ---- enroll and connect ---------------------------------------------------------------------
  await enterPhase('enrollment (every Mac enrolls, connects and sends its whole first report)');
  const t0 = now();
  fleet = await FleetProcesses.start({
    agents, processes: o.processes, serverUrl: server.url, serverUrls: servers.map((x) => x.url), enrollSecret: ENROLL_SECRET,
    intervalSeconds: o.interval, changeProbability: 0, connectConcurrency: 200, timeoutMs: 20 * 60_000, probeAgents: Math.min(o.probeMacs, agents),
  });
  let s: FleetStats = await fleet.stats();
  const connectedIn = (now() - t0) / 1000;
  const enrollSeconds = s.firstEnrolledAt && s.lastEnrolledAt ? (s.lastEnrolledAt - s.firstEnrolledAt) / 1000 : Number.NaN;
  log(`${s.connected}/${agents} connected in ${fmt(connectedIn, 1)} s; ${s.enrolled} enrolled`);
  await until(async () => (s = await fleet!.stats()).acked >= agents, 10 * 60_000);
  log(`first (whole) reports acked: ${s.acked}/${agents} at ${fmt((now() - t0) / 1000, 1)} s`);
  const serverConns = (await Promise.all(servers.map((x) => api<{ connections: number }>(x, 'GET', '/api/v1/agent/ingest-stats')))).reduce((a, x) => a + x.connections, 0);
  record({ name: 'connections held (server registry)', value: fmt(serverConns), ...check(serverConns, '>=', 20_000, 'Macs') });
  record({ name: 'enrollments per second', value: fmt(s.enrolled / enrollSeconds, 0) });
  record({ name: 'time to enroll + connect all', value: `${fmt(connectedIn, 1)} s` });

  // ---- steady state, nothing changes -------------------------------------------------------------
  await sleep(5_000); // let the whole-report wave settle
  const steady = async (label: string, changeProbability: number) => {
    await enterPhase(label);
    await fleet!.configure({ changeProbability });
    await drain(fleet!);
    // Vacuumed first, so free-space and visibility maps already exist and do not count as growth.
    await adminQuery(db.url, `VACUUM ${TABLES.map((t) => `"${t}"`).join(', ')}`);
    const sizes0 = await tableSizes(db.url);
    const cpu0 = sampleServers();
    const sim0 = simulatorCpu();
    const a0 = await fleet!.stats();
    const from = now();
    await sleep(o.window * 1000);
    const a1 = await fleet!.stats();
    const cpu1 = sampleServers();
    const sim1 = simulatorCpu();
    const to = now();
    const sizes1 = await tableSizes(db.url);
    const reports = a1.acked - a0.acked;
    const changed = a1.changedReports - a0.changedReports;
    const r = rates(a1.ackedPerSecond, from, to);
    log(`${label}: ${reports} reports acked in ${fmt((to - from) / 1000, 1)} s (${fmt(r.mean)}/s, ${changed} with a change), server CPU ${fmt(cpu1.cpuSeconds - cpu0.cpuSeconds, 1)} s`);
    notes.push(`${label}: table growth ${TABLES.map((t) => `${t} ${kb((sizes1[t] ?? 0) - (sizes0[t] ?? 0))}`).join(', ')} for ${reports} reports`);
    return { reports, changed, rate: r.mean, cpu: cpu1.cpuSeconds - cpu0.cpuSeconds, simCpu: sim1 - sim0, all: growth(sizes0, sizes1), history: growth(sizes0, sizes1, HISTORY), sizes0, sizes1 };
  };
  const quiet = await steady('steady, nothing changes', 0);
  const offered = agents / o.interval;
  record({ name: `reports ingested/s, steady (offered ${fmt(offered)}/s)`, value: fmt(quiet.rate) });
  record({ name: 'server CPU seconds per 1,000 reports (steady; all instances)', value: fmt((1000 * quiet.cpu) / quiet.reports, 2) });
  record({ name: 'simulator CPU seconds per 1,000 reports (steady)', value: fmt((1000 * quiet.simCpu) / quiet.reports, 2) });
  const perDayQuiet = (quiet.history / quiet.reports) * o.reportsPerDay;
  record({ name: `Postgres bytes/Mac/day, unchanged (history tables, ${o.reportsPerDay} reports/day)`, value: kb(perDayQuiet) });
  const perDayQuietAll = (Math.max(0, quiet.all) / quiet.reports) * o.reportsPerDay;
  record({ name: 'Postgres bytes/Mac/day, unchanged (every table, incl. Device row versions)', value: kb(perDayQuietAll), ...check(perDayQuietAll / 1024, '<', 5, 'KB', 1) });

  const busy = await steady('steady, every report carries a change', 1);
  const perChange = busy.history / Math.max(1, busy.changed);
  record({ name: 'Postgres bytes per changed report (history)', value: kb(perChange) });
  record({ name: `Postgres bytes/Mac/day, every report changes (${o.reportsPerDay}/day)`, value: kb((busy.history / busy.reports) * o.reportsPerDay) });
  record({ name: 'server CPU seconds per 1,000 changed reports', value: fmt((1000 * busy.cpu) / busy.reports, 2) });
  record({ name: 'simulator CPU seconds per 1,000 changed reports', value: fmt((1000 * busy.simCpu) / busy.reports, 2) });
  await enterPhase('changed-report backlog draining');
  await fleet.configure({ changeProbability: 0 });
  if (!(await drain(fleet))) notes.push('the changed-report backlog did not drain within 180 s before the burst');
  const devices = (await adminQuery<{ id: string }>(db.url, 'SELECT id::text AS id FROM "Device" ORDER BY random()'));
  // Simulated Macs are named <recorded hostname>-sim<index>; the probe workers hold the last indices.
  const macsOf = (side: '<' | '>=') => adminQuery<{ id: string; hostname: string }>(db.url,
    `SELECT id::text AS id, hostname FROM "Device" WHERE substring(hostname from '-sim([0-9]+)$')::int ${side} $1 ORDER BY random()`, [fleet!.probeFirstIndex]);
  const [probes, crowd] = await Promise.all([macsOf('>='), macsOf('<')]);
  // Timed commands go to probe Macs (when there are none, to any), each Mac at most one per phase while there are enough.
  const timed = (n: number) => (probes.length > 0 ? probes : crowd).slice(0, n);

  // ---- command round trips in steady state (every Mac reporting on its schedule) ----------------
  await enterPhase('steady, commands');
  await openDashboardConnections(server);
  await commandProbe('steady', timed(o.commands));
  await drain(fleet);
  log(`load average before the burst: ${loadavg()}`);

  // ---- burst: every Mac reports at once, and commands meanwhile ------------------------------------
  await enterPhase('burst (every Mac reports at once)');
  const b0 = await fleet.stats();
  const cpuB0 = sampleServers();
  const simB0 = simulatorCpu();
  await openDashboardConnections(server);
  const burstFrom = now();
  await fleet.burst(false);
  const half = Math.ceil(o.commands / 2);
  const burstCommands = Promise.all([
    commandProbe('during the burst', timed(half)),
    // The same again from a client that opens a connection per call: what waiting for the accept adds.
    commandProbe('during the burst, each call on a new connection', (probes.length >= 2 * half ? probes : crowd).slice(half, 2 * half), { target: false, via: 'fresh' }),
  ]);
  await until(async () => (s = await fleet!.stats()).acked - b0.acked >= agents, 5 * 60_000, 200);
  const burstTo = now();
  const cpuB1 = sampleServers();
  const simB1 = simulatorCpu();
  const burstReports = s.acked - b0.acked;
  const burst = rates(s.ackedPerSecond, burstFrom, burstTo);
  const burstRate = burstReports / ((burstTo - burstFrom) / 1000);
  log(`burst: ${burstReports} reports acked in ${fmt((burstTo - burstFrom) / 1000, 1)} s; busiest second ${burst.peak}`);
  record({ name: 'reports ingested/s, burst (all Macs at once)', value: fmt(burstRate), ...check(burstRate, '>=', 3000, 'reports/s') });
  record({ name: 'reports ingested in the busiest second', value: fmt(burst.peak) });
  record({ name: 'server CPU seconds per 1,000 reports (burst)', value: fmt((1000 * (cpuB1.cpuSeconds - cpuB0.cpuSeconds)) / burstReports, 2) });
  record({ name: 'simulator CPU seconds per 1,000 reports (burst)', value: fmt((1000 * (simB1 - simB0)) / burstReports, 2) });
  record({ name: 'server CPU seconds in the burst / its wall-clock seconds (cores busy)', value: fmt((cpuB1.cpuSeconds - cpuB0.cpuSeconds) / ((burstTo - burstFrom) / 1000), 2) });
  await burstCommands;
  record({ name: 'burst rate / bare ws message rate', value: `${fmt((100 * burstRate) / wsBase.rate, 1)} %` });
  record({ name: 'burst rate / raw pg insert rate', value: `${fmt((100 * burstRate) / pgBase.rate, 1)} %` });
  await drain(fleet);

  // ---- bulk: one command to every Mac, one API call (POST /api/v1/batches) -------------------
  await drain(fleet);
  await enterPhase('bulk command to every Mac');
  const bulkStart = now();
  const bulk = await api<{ batchId: string; targets: Array<{ commandId: string }> }>(server, 'POST', '/api/v1/batches', { action: { type: 'agent.collect', params: {} }, dryRun: false, filter: { online: true } });
  const apiDone = now();
  const bulkIds = bulk.targets.map((t) => t.commandId);
  const batchLog = servers.flatMap((x) => x.output().split('\n')).find((l) => l.includes(bulk.batchId) && l.includes('deliverMs'));
  if (batchLog) log(`server: ${batchLog.slice(0, 300)}`);
  const bulkResults = await awaitResults(fleet, bulkIds, bulkStart);
  const { received, reach: reachAll } = bulkResults;
  log(`bulk: ${bulkIds.length} commands, API answered in ${fmt((apiDone - bulkStart) / 1000, 1)} s; ${received.length} received; last received at ${fmt(reachAll / 1000, 1)} s`);
  // Where the time went: marked sent by a server (its clock, this machine's) against received by a simulated Mac.
  const [sent] = await adminQuery<{ p50: number; p90: number; last: number }>(db.url, `SELECT
      (extract(epoch FROM percentile_disc(0.5) WITHIN GROUP (ORDER BY "sentAt")) * 1000)::float8 AS p50,
      (extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY "sentAt")) * 1000)::float8 AS p90,
      (extract(epoch FROM max("sentAt")) * 1000)::float8 AS last FROM "Command" WHERE id = ANY($1::text[])`, [bulkIds]);
  const at = (t: number) => `${fmt((t - bulkStart) / 1000, 1)} s`;
  const got = received.map((t) => t.receivedAt).sort((a, b) => a - b);
  notes.push(`bulk command split, after the API call: marked sent p50 ${at(sent!.p50)}, p90 ${at(sent!.p90)}, last ${at(sent!.last)}; `
    + `received p50 ${at(got[Math.floor(got.length / 2)]!)}, p90 ${at(got[Math.floor(got.length * 0.9)]!)}, last ${at(got.at(-1)!)}`);
  record({ name: `bulk command (POST /api/v1/batches): API answered, ${bulkIds.length} Macs`, value: `${fmt((apiDone - bulkStart) / 1000, 1)} s` });
  record({ name: `bulk command: reached every online Mac (${received.length}/${bulkIds.length})`, value: `${fmt(reachAll / 1000, 1)} s`, ...check(received.length === bulkIds.length ? reachAll / 1000 : Number.NaN, '<', 10, 's', 1) });
  record({ name: 'bulk command: every result stored', value: storedIn(bulkResults, bulkIds.length) });

  // ---- the same through the per-device API, one call per Mac (optional: minutes at 20,000) ----
  if (o.perMacBulk) {
    await drain(fleet);
    const start = now();
    const sentIds: string[] = [];
    let next = 0;
    let failures = 0;
    await Promise.all(Array.from({ length: o.bulkConcurrency }, async () => {
      while (next < devices.length) {
        const d = devices[next++]!;
        try {
          sentIds.push((await api<{ id: string }>(server!, 'POST', `/api/v1/devices/${d.id}/commands`, { action: { type: 'zoom.quit', params: {} } })).id);
        } catch {
          failures += 1;
        }
      }
    }));
    let t = await fleet.commandTimings(sentIds);
    await until(async () => [...(t = await fleet!.commandTimings(sentIds)).values()].length >= sentIds.length, 5 * 60_000, 1000);
    const reach = Math.max(...[...t.values()].map((x) => x.receivedAt)) - start;
    log(`per-Mac API: ${sentIds.length} commands (${failures} API failures), last received at ${fmt(reach / 1000, 1)} s`);
    record({ name: `command to every Mac, one API call per Mac (${o.bulkConcurrency} in flight)`, value: `${fmt(reach / 1000, 1)} s` });
  }

  // ---- bulk remediation: Zoom's camera denied on every Mac that has the row, one API call ----
  await enterPhase('bulk remediation');
  await drain(fleet);
  // Resolves once the server has stored the denied Macs' reports (their findings are then open).
  const denied = await fleet.denyCamera();
  if (denied.stored < denied.denied) notes.push(`bulk remediation: only ${denied.stored} of ${denied.denied} denied Macs' reports were stored within 180 s`);
  const remStart = now();
  try {
    const rem = await api<{ batchId: string; targets: Array<{ commandId?: string }> }>(server, 'POST', '/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: false, filter: { online: true } });
    const remAnswered = now();
    const remIds = rem.targets.flatMap((t) => (t.commandId ? [t.commandId] : []));
    const remResults = await awaitResults(fleet, remIds, remStart);
    const { received: got, reach } = remResults;
    log(`bulk remediation: ${remIds.length} tcc.reset commands (${denied.denied} Macs denied), API answered in ${fmt((remAnswered - remStart) / 1000, 1)} s, ${got.length} received, last at ${fmt(reach / 1000, 1)} s`);
    record({ name: `bulk remediation (POST /api/v1/remediations): reached ${got.length}/${remIds.length} Macs`, value: `${fmt(reach / 1000, 1)} s`, ...check(got.length === remIds.length ? reach / 1000 : Number.NaN, '<', 10, 's', 1) });
    record({ name: 'bulk remediation: every result stored', value: storedIn(remResults, remIds.length) });
  } catch (err) {
    notes.push(`bulk remediation not measured: ${(err as Error).message.slice(0, 200)}`);
  }

  // ---- memory --------------------------------------------------------------------------------
  await enterPhase('end');
  notes.push(`by phase:\n  ${phaseLines.join('\n  ')}`);
  clearInterval(sampler);
  const peak = rssSamples.reduce((a, b) => (b.rssBytes > a.rssBytes ? b : a));
  const peakRss = peak.rssBytes;
  const lastRss = rssSamples.at(-1)?.rssBytes ?? Number.NaN;
  record({ name: `server RSS, peak (all instances), phase: ${peak.phase}`, value: mb(peakRss), ...check(peakRss / 1024 / 1024, '<', 1536, 'MB') });
  const phases = [...new Set(rssSamples.map((r) => r.phase))];
  notes.push(`server RSS peak by phase: ${phases.map((p) => `${p} ${mb(Math.max(...rssSamples.filter((r) => r.phase === p).map((r) => r.rssBytes)))}`).join('; ')}`);
  record({ name: 'server RSS at the end', value: mb(lastRss) });
  record({ name: 'server RSS per connection ((end - idle) / Macs)', value: kb((lastRss - idle.rssBytes) / agents) });
  const sims = await fleet.statsEach();
  record({ name: 'simulator RSS (all processes)', value: mb(sims.reduce((a, x) => a + x.rssBytes, 0)) });
  s = await fleet.stats();
  notes.push(`reports: ${s.reports} (${s.fullReports} whole, ${s.deltaReports} delta, ${s.changedReports} with a change), resyncs ${s.resyncs}, reconnects ${s.connects - agents}`);
  const ingest = (await Promise.all(servers.map((x) => api<Record<string, number>>(x, 'GET', '/api/v1/agent/ingest-stats'))))
    .reduce((a, x) => Object.fromEntries(Object.keys(x).map((k) => [k, /^(max|longest)/.test(k) ? Math.max(a[k] ?? 0, x[k]!) : (a[k] ?? 0) + x[k]!])), {} as Record<string, number>);
  notes.push(`ingest: ${ingest.batches} batches, largest ${ingest.maxBatch}, mean ${fmt(ingest.reports! / ingest.batches!, 1)}; fast path ${ingest.unchanged}, full ${ingest.full}, duplicates ${ingest.duplicate}, resyncs ${ingest.resync}`);
  notes.push(`reading (both instances): sockets paused ${ingest.pauses} times, longest ${fmt(ingest.longestPauseMs!)} ms, most report bytes held ${mb(ingest.maxHeldBytes!)}; `
    + `${ingest.slicedJobs} reports read in ${ingest.slices} slices of the event loop, at most ${ingest.maxQueuedJobs} waiting`);
  notes.push(`message sizes: whole ${kb(ingest.wholeBytes! / ingest.wholeMessages!)}, delta ${fmt(ingest.deltaBytes! / ingest.deltaMessages!)} B on average`);
  notes.push(await tableReport(db.url, s.acked));
} catch (err) {
  log(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
  for (const x of servers) log(`server ${x.pid} output (tail):\n${x.output().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  printReport();
  await cleanup();
  clearTimeout(hardStop);
}
process.exit(process.exitCode ?? 0);

/**
 * The tables at the end of the run: rows and bytes (with indexes and TOAST) of each, and the
 * reports the devices count (Device.reportCount) against the acks the simulated Macs received.
 */
async function tableReport(dbUrl: string, acked: number): Promise<string> {
  const sizes = await tableSizes(dbUrl);
  const [counts] = await adminQuery<Record<string, string>>(dbUrl,
    `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM "${t}")::text AS "${t}"`).join(', ')}, (SELECT sum("reportCount") FROM "Device")::text AS counted`);
  return `tables at the end: ${TABLES.map((t) => `${t} ${fmt(Number(counts![t]))} rows ${mb(sizes[t] ?? 0)}`).join('; ')}; `
    + `Device.reportCount sums to ${fmt(Number(counts!.counted))} for ${fmt(acked)} report acks (redeliveries and late reports are acked, not counted)`;
}

/** Prints the figures table and the notes, once (at the end, or when the hard bound cuts the run short). */
function printReport(heading = ''): void {
  if (reported) return;
  reported = true;
  let pgVersion = 'psql version unknown';
  try {
    pgVersion = execFileSync('psql', ['--version']).toString().trim();
  } catch { /* not installed: the line says so */ }
  process.stdout.write(`
FleetMedic benchmark — ${new Date().toISOString()}${heading ? ` — ${heading}` : ''}
machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${mb(totalmem())} memory, Node ${process.version}, ${pgVersion}; open files ${limits.soft}/${limits.hard}; load average at the end ${loadavg()}
run: ${agents} simulated Macs in ${o.processes} processes against ${o.instances} server instance(s), steady interval ${o.interval} s, windows ${o.window} s, server, Postgres and simulator on this one machine${o.serverNodeArgs ? `; server node flags ${o.serverNodeArgs}` : ''}${process.env.MALLOC_ARENA_MAX ? `; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : ''}${process.env.FLEETMEDIC_HEAP_GROWTH_PERCENT ? `; FLEETMEDIC_HEAP_GROWTH_PERCENT=${process.env.FLEETMEDIC_HEAP_GROWTH_PERCENT}` : ''}
limits: bare ws ${wsBase ? `${fmt(wsBase.rate)} msg/s` : 'n/a'}; raw pg multi-row insert ${pgBase ? `${fmt(pgBase.rate)} rows/s` : 'n/a'}

${table(figures)}

${notes.join('\n')}
`);
}
