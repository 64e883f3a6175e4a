// pnpm bench:agent [--mac <recorded Mac>] [--duration S] [--interval S] [--tsx] [--v8-flags F]: the
// real agent (`agent run --replay`, its own process) collecting a recorded Mac on a fast schedule
// against the real server (own process, fresh Postgres database). By default the agent runs as
// shipped: built by `pnpm --filter @fleetmedic/agent build` (apps/agent/dist/agent.mjs) and started
// by its launcher apps/agent/bin/fleetmedic-agent (plain node, the launcher's V8 flags); --tsx runs
// the dev form, `tsx apps/agent/src/cli.ts`. Measured from outside the agent: its CPU time
// (/proc/<pid>/stat utime+stime — its own, not the sqlite3 children it spawns), its RSS
// (/proc/<pid>/status VmRSS) every second, the reports stored (Report rows), and the bytes it
// sends, counted on its socket by a TCP proxy in another process.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { positiveInt } from './args.js';
import { REPO_ROOT } from '../../tests/support/agents.js';
import { Child } from './ipc.js';
import { sampleProc, voluntaryWakeups } from './proc.js';
import { check, fmt, kb, mb, table, type Figure } from './report.js';
import { adminQuery, createBenchDatabase, startServerProcess, type ServerProcess } from './server-process.js';

const int = positiveInt;
const o = new Command()
  .name('bench:agent')
  .description('measure the agent on a recorded Mac: RSS, CPU per collection cycle, bytes sent per day')
  .option('--mac <name>', 'recorded Mac (folder in recorded-macs/)', 'mbp-m1pro-15-display-camera-full-budget')
  .option('--duration <s>', 'seconds of fast-schedule collection', int, 300)
  .option('--interval <s>', 'seconds between collections (1-59)', int, 2)
  .option('--idle <s>', 'seconds idle first (only the heartbeat), for the idle cost', int, 65)
  .option('--reports-per-day <n>', 'collections per day of the real schedule (default every 15 min)', int, 96)
  .option('--tsx', 'run the dev form, `tsx apps/agent/src/cli.ts`, instead of the shipped bundle and launcher')
  .option('--v8-flags <flags>', 'V8 flags for the shipped launch in place of the launcher\'s own (FLEETMEDIC_V8_FLAGS; "" for V8 defaults), to compare')
  .option('--database-url <url>', 'Postgres server (a database is created and dropped)', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  .parse()
  .opts<{ mac: string; duration: number; interval: number; idle: number; reportsPerDay: number; tsx?: boolean; v8Flags?: string; databaseUrl: string }>();

/** The agent's resident memory target after an hour of scheduled collection, MB (issue 16: under 64 MB with node-cron). */
const RSS_TARGET_MB = 64;
const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENROLL = `bench-agent-${Date.now()}`;
const LAUNCHER = path.join(REPO_ROOT, 'apps/agent/bin/fleetmedic-agent');
const form = o.tsx
  ? 'dev form: tsx apps/agent/src/cli.ts'
  : `shipped form: apps/agent/bin/fleetmedic-agent (dist/agent.mjs on plain node, ${o.v8Flags === undefined ? 'the launcher\'s V8 flags' : `V8 flags "${o.v8Flags}"`})`;

/** `pnpm --filter @fleetmedic/agent build`: the bundle the launcher starts, built from the current source. */
async function buildAgent(): Promise<void> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/agent/scripts/build.mjs')], { cwd: path.join(REPO_ROOT, 'apps/agent'), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the agent build failed (exit ${code}):\n${err}`);
}
if (!o.tsx) await buildAgent();
// The launcher execs node, so the pid measured is the agent's own.
const argv0 = o.tsx ? process.execPath : LAUNCHER;
const entry = o.tsx ? ['--import', 'tsx', path.join(REPO_ROOT, 'apps/agent/src/cli.ts')] : [];
// The agent logs at its deployed level (info: a line per report); only --v8-flags replaces the launcher's flags.
const { FLEETMEDIC_V8_FLAGS: _inherited, ...inheritedEnv } = process.env;
const agentEnv = { ...inheritedEnv, FLEETMEDIC_NODE: process.execPath, ...(o.v8Flags === undefined ? {} : { FLEETMEDIC_V8_FLAGS: o.v8Flags }) };

const db = await createBenchDatabase(o.databaseUrl);
let server: ServerProcess | null = null;
const proxy = Child.fork('byte-proxy.ts');
const figures: Figure[] = [];
const notes: string[] = [];
const bound = setTimeout(() => {
  log('past the time bound: stopping');
  process.exit(3);
}, (o.duration * 2 + o.idle + 300) * 1000);
bound.unref();
const reports = async () => Number((await adminQuery<{ n: string }>(db.url, 'SELECT count(*)::text AS n FROM "Report"'))[0]!.n);
const bytes = () => proxy.call<{ up: number; down: number }>('bytes');

/** Starts `agent run` on the recorded Mac with a cron schedule; returns the child. */
async function startAgent(serverUrl: string, schedule: string) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'fm-agent-bench-'));
  const child = spawn(argv0, [...entry, 'run',
    '--server', serverUrl, '--enroll-secret', ENROLL, '--replay', path.join(REPO_ROOT, 'recorded-macs', o.mac),
    '--state-dir', stateDir, '--schedule', schedule, '--jitter', '0'], { cwd: REPO_ROOT, env: agentEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
  return { child, stderr: () => err };
}

let agent: Awaited<ReturnType<typeof startAgent>> | null = null;
try {
  server = await startServerProcess({ databaseUrl: db.url, enrollSecret: ENROLL, adminToken: `bench-admin-${Date.now()}-0123456789` });
  const target = new URL(server.url);
  const port = await proxy.call<number>('listen', { host: target.hostname, port: Number(target.port) });
  // Collects at start, then every `interval` seconds (6-field cron with seconds).
  agent = await startAgent(`http://127.0.0.1:${port}`, `*/${o.interval} * * * * *`);
  const pid = agent.child.pid!;
  const ready = Date.now() + 60_000;
  while ((await reports()) < 2 && Date.now() < ready) await sleep(200);
  if ((await reports()) < 2) throw new Error(`the agent stored no reports in 60 s:\n${agent.stderr()}`);
  log(`agent pid ${pid} reporting`);

  const rss: number[] = [];
  const sampler = setInterval(() => {
    try {
      rss.push(sampleProc(pid).rssBytes);
    } catch { /* exited */ }
  }, 1000);
  const c0 = sampleProc(pid);
  const r0 = await reports();
  const b0 = await bytes();
  const t0 = Date.now();
  await sleep(o.duration * 1000);
  const c1 = sampleProc(pid);
  const r1 = await reports();
  const b1 = await bytes();
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const cycles = r1 - r0;
  const cpuPerCycle = (1000 * (c1.cpuSeconds - c0.cpuSeconds)) / cycles;

  // The same agent, nothing but its heartbeat: stop collecting by restarting it on a yearly schedule.
  agent.child.kill('SIGTERM');
  await new Promise((r) => agent!.child.once('exit', r));
  agent = await startAgent(`http://127.0.0.1:${port}`, '0 0 1 1 *');
  await sleep(10_000);
  const i0 = await bytes();
  const ic0 = sampleProc(agent.child.pid!);
  const w0 = voluntaryWakeups(agent.child.pid!);
  await sleep(o.idle * 1000);
  const i1 = await bytes();
  const ic1 = sampleProc(agent.child.pid!);
  const w1 = voluntaryWakeups(agent.child.pid!);
  const idleRate = (i1.up - i0.up) / o.idle;
  const perReport = (b1.up - b0.up - idleRate * seconds) / cycles;
  const perDay = perReport * o.reportsPerDay + idleRate * 86_400;
  const half = rss.slice(Math.floor(rss.length / 2));
  const slope = half.length > 1 ? (half.at(-1)! - half[0]!) / (half.length - 1) : 0;

  figures.push({ name: `agent CPU per collection cycle (${cycles} cycles in ${fmt(seconds)} s)`, value: `${fmt(cpuPerCycle, 1)} ms`, ...check(cpuPerCycle, '<', 200, 'ms') });
  figures.push({ name: 'agent CPU per idle second (heartbeat, timers)', value: `${fmt((1000 * (ic1.cpuSeconds - ic0.cpuSeconds)) / o.idle, 2)} ms` });
  figures.push({ name: 'agent wakeups per idle hour (voluntary context switches, all threads; node-cron timer + heartbeat)', value: fmt(((w1 - w0) * 3600) / o.idle) });
  const last = rss.at(-1)! / 1024 / 1024;
  const rssCheck = check(last, '<', RSS_TARGET_MB, 'MB', 1);
  const margin = rssCheck.met ? ` (met by ${fmt(RSS_TARGET_MB - last, 1)} MB)` : '';
  figures.push({ name: `agent RSS after ${cycles} cycles`, value: `${mb(rss.at(-1)!)}${margin}`, ...rssCheck });
  figures.push({ name: 'agent RSS, lowest / highest seen', value: `${mb(Math.min(...rss))} / ${mb(Math.max(...rss))}` });
  figures.push({ name: 'agent RSS trend over the second half', value: `${fmt(slope / 1024, 1)} KB/s` });
  figures.push({ name: 'bytes sent per report (delta, nothing changed)', value: `${fmt(perReport)} B` });
  figures.push({ name: 'bytes sent per idle second (heartbeat)', value: `${fmt(idleRate, 2)} B` });
  figures.push({ name: `bytes sent per day (${o.reportsPerDay} reports + heartbeats)`, value: kb(perDay) });
  notes.push(`the real schedule (every 15 min) makes 4 collections an hour: ${cycles} cycles are ${fmt(cycles / 4, 1)} hours of it`);
  notes.push(`CPU and RSS are the agent process alone (${form}${o.tsx ? ', tsx loader included' : ''}); the sqlite3 processes it spawns are not counted`);
  log('done');
} catch (err) {
  log(`agent benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  agent?.child.kill('SIGTERM');
  await proxy.stop();
  await server?.stop().catch(() => {});
  await db.drop().catch(() => {});
}
process.stdout.write(`
FleetMedic agent benchmark — ${new Date().toISOString()}
machine: ${os.cpus().length} CPUs, ${mb(os.totalmem())}, Node ${process.version}; recorded Mac ${o.mac}; a collection every ${o.interval} s for ${o.duration} s; agent ${form}
${table(figures)}

${notes.join('\n')}
`);
process.exit(process.exitCode ?? 0);
