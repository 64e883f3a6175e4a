// pnpm bench:agent [--mac <recorded Mac>] [--duration S] [--interval S]: the real agent daemon on a
// recorded Mac, collecting on a fast schedule against the real server (own process, fresh Postgres
// database), measured from inside: CPU time of the agent process per collection cycle
// (process.cpuUsage: this process only, not the sqlite3 children the replay runner spawns), RSS
// after every cycle, and the bytes it sends, counted on its socket by a proxy in another process.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AgentDaemon, ReplayRunner } from '@fleetmedic/agent';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { REPO_ROOT } from '../../tests/support/agents.js';
import { Child } from './ipc.js';
import { check, fmt, kb, mb, percentile, table, type Figure } from './report.js';
import { createBenchDatabase, startServerProcess, type ServerProcess } from './server-process.js';

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number above 0');
  return n;
};
const o = new Command()
  .name('bench:agent')
  .description('measure the agent daemon on a recorded Mac: CPU per cycle, RSS, bytes sent per day')
  .option('--mac <name>', 'recorded Mac (folder in recorded-macs/)', 'mbp-m1pro-15-display-camera-full-budget')
  .option('--duration <s>', 'seconds of fast-schedule collection', num, 120)
  .option('--interval <s>', 'seconds between collections', num, 2)
  .option('--idle <s>', 'seconds with no collection, to measure heartbeat traffic', num, 65)
  .option('--reports-per-day <n>', 'collections per day of the real schedule (default every 15 min)', num, 96)
  .option('--database-url <url>', 'Postgres server (a database is created and dropped)', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  .parse()
  .opts<{ mac: string; duration: number; interval: number; idle: number; reportsPerDay: number; databaseUrl: string }>();

const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENROLL = `bench-agent-${Date.now()}`;
const db = await createBenchDatabase(o.databaseUrl);
let server: ServerProcess | null = null;
const proxy = Child.fork('byte-proxy.ts');
let daemon: AgentDaemon | null = null;
const figures: Figure[] = [];
const notes: string[] = [];
const bound = setTimeout(() => {
  log('past the time bound: stopping');
  process.exit(3);
}, (o.duration + o.idle + 300) * 1000);
bound.unref();

try {
  server = await startServerProcess({ databaseUrl: db.url, enrollSecret: ENROLL, adminToken: `bench-admin-${Date.now()}-0123456789` });
  const target = new URL(server.url);
  const port = await proxy.call<number>('listen', { host: target.hostname, port: Number(target.port) });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'fm-agent-bench-'));
  const runner = await ReplayRunner.open(path.join(REPO_ROOT, 'recorded-macs', o.mac), { stateDir: path.join(stateDir, 'replay') });
  let acked = 0;
  const rss0 = process.memoryUsage().rss;
  daemon = await AgentDaemon.start({
    serverUrl: `http://127.0.0.1:${port}`, enrollSecret: ENROLL, stateDir, runner, logger: pino({ level: 'silent' }),
    schedule: null, collectAtStart: false, onEvent: (e) => { if (e.type === 'acked' && e.report) acked += 1; },
  });
  const waitAcked = async (n: number) => {
    const end = Date.now() + 30_000;
    while (acked < n && Date.now() < end) await sleep(20);
  };
  // The first report goes whole; every later one as a delta.
  await daemon.collectNow('first');
  await waitAcked(1);
  const first = await proxy.call<{ up: number; down: number }>('bytes');
  log(`first report (whole) acked; ${first.up} bytes sent so far (upgrade, enrollment is HTTP on the same proxy)`);

  // Idle: only the heartbeat.
  const idle0 = await proxy.call<{ up: number; down: number }>('bytes');
  await sleep(o.idle * 1000);
  const idle1 = await proxy.call<{ up: number; down: number }>('bytes');
  const idleRate = (idle1.up - idle0.up) / o.idle;

  // Fast schedule.
  const cpuMs: number[] = [];
  const rss: number[] = [];
  const b0 = await proxy.call<{ up: number; down: number }>('bytes');
  const t0 = Date.now();
  let cycles = 0;
  const cpuAll0 = process.cpuUsage();
  while (Date.now() - t0 < o.duration * 1000) {
    const started = Date.now();
    const c0 = process.cpuUsage();
    await daemon.collectNow('bench');
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    cycles += 1;
    await waitAcked(cycles + 1);
    rss.push(process.memoryUsage().rss);
    await sleep(Math.max(0, o.interval * 1000 - (Date.now() - started)));
  }
  const cpuAll = process.cpuUsage(cpuAll0);
  const elapsed = (Date.now() - t0) / 1000;
  const b1 = await proxy.call<{ up: number; down: number }>('bytes');
  const perCycle = (b1.up - b0.up - idleRate * elapsed) / cycles;
  const perDay = perCycle * o.reportsPerDay + idleRate * 86_400;
  const rssEnd = rss.at(-1)!;
  const rssAt10 = rss[Math.min(9, rss.length - 1)]!;
  const growthPerCycle = (rssEnd - rssAt10) / Math.max(1, rss.length - 10);

  figures.push({ name: `agent CPU per collection cycle, median (${cycles} cycles)`, value: `${fmt(percentile(cpuMs, 50), 1)} ms`, ...check(percentile(cpuMs, 50), '<', 200, 'ms') });
  figures.push({ name: 'agent CPU per collection cycle, p95', value: `${fmt(percentile(cpuMs, 95), 1)} ms` });
  figures.push({ name: 'agent CPU per cycle incl. acks, timers, GC (whole process / cycles)', value: `${fmt((cpuAll.user + cpuAll.system) / 1000 / cycles, 1)} ms` });
  figures.push({ name: `agent RSS after ${cycles} cycles (${fmt(elapsed / 60, 1)} min)`, value: mb(rssEnd), ...check(rssEnd / 1024 / 1024, '<', 60, 'MB') });
  figures.push({ name: 'agent RSS, largest seen', value: mb(Math.max(...rss)) });
  figures.push({ name: 'agent RSS change per cycle after the 10th', value: kb(growthPerCycle) });
  figures.push({ name: 'bytes sent per delta report (nothing changed)', value: `${fmt(perCycle)} B` });
  figures.push({ name: 'bytes sent per idle second (heartbeat)', value: `${fmt(idleRate, 2)} B` });
  figures.push({ name: `bytes sent per day (${o.reportsPerDay} reports + heartbeats)`, value: kb(perDay) });
  notes.push(`process RSS before the daemon started: ${mb(rss0)} (Node + tsx + the agent's modules)`);
  notes.push(`an hour of the real schedule (every 15 min) is 4 collections; ${cycles} cycles were run, i.e. ${fmt(cycles / 4, 1)} hours' worth`);
  log('done');
} catch (err) {
  log(`agent benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await daemon?.stop().catch(() => {});
  await proxy.stop();
  await server?.stop().catch(() => {});
  await db.drop().catch(() => {});
}
process.stdout.write(`
FleetMedic agent benchmark — ${new Date().toISOString()}
machine: ${os.cpus().length} CPUs, ${mb(os.totalmem())}, Node ${process.version}; recorded Mac ${o.mac}; collection every ${o.interval} s for ${o.duration} s
${table(figures)}

${notes.join('\n')}
`);
process.exit(process.exitCode ?? 0);
