// `pnpm start`: FleetMedic on one machine. Starts the server on embedded PGlite in .data/ (or the
// Postgres DATABASE_URL names), then one agent process per recorded Mac in recorded-macs/, prints
// the dashboard address and an admin token, then how many Macs have reported until all have.
// Ctrl-C (or SIGTERM/SIGHUP) stops the agents first, so that the server records them offline,
// then the server, and exits 0.
//
// The demo's admin token and enrollment secret are kept in .data/demo.json (mode 0600) so a
// restart reuses them; the server itself stores only their hashes. Agents read the secret from
// .data/enroll-secret (0600), as a Mac's LaunchDaemon does, never from their command line.
//
// Settings (environment): PORT, HOST, FLEETMEDIC_DATA_DIR, FLEETMEDIC_DEMO_SCHEDULE (agents' cron),
// FLEETMEDIC_DEMO_MACS (comma-separated recorded-macs/ folders, each once; default all of them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoMacsError, selectDemoMacs } from './demo-macs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.FLEETMEDIC_DATA_DIR ?? path.join(root, '.data'));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const schedule = process.env.FLEETMEDIC_DEMO_SCHEDULE ?? '*/2 * * * *';
const macsDir = path.join(root, 'recorded-macs');
/** Polling the device list for the progress lines, ms. */
const PROGRESS_POLL_MS = 2_000;
/** After this long without every Mac reported, name the missing ones once, ms. */
const SLOW_AFTER_MS = 5 * 60_000;
/** Grace given to an agent, then to the server, to stop on SIGTERM before SIGKILL, ms. */
const AGENT_STOP_MS = 10_000;
const SERVER_STOP_MS = 30_000;

/** "1 Mac" / "3 Macs". */
const macsWord = (n: number) => `${n} ${n === 1 ? 'Mac' : 'Macs'}`;

/** The recorded Macs to run: FLEETMEDIC_DEMO_MACS, else every folder with a host.json. Exits 2 on a bad value (see selectDemoMacs). */
function recordedMacs(): string[] {
  const all = readdirSync(macsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(macsDir, e.name, 'host.json')))
    .map((e) => e.name)
    .sort();
  try {
    return selectDemoMacs(process.env.FLEETMEDIC_DEMO_MACS, all);
  } catch (err) {
    if (!(err instanceof DemoMacsError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

const macs = recordedMacs();
mkdirSync(dataDir, { recursive: true });
const secretsFile = path.join(dataDir, 'demo.json');
const secrets: { enrollSecret: string; adminToken: string } = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : { enrollSecret: `enroll-${randomBytes(18).toString('base64url')}`, adminToken: `fm_admin_${randomBytes(32).toString('base64url')}` };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
const enrollSecretFile = path.join(dataDir, 'enroll-secret');
writeFileSync(enrollSecretFile, `${secrets.enrollSecret}\n`, { mode: 0o600 });
chmodSync(enrollSecretFile, 0o600); // an older file keeps its mode through writeFileSync

// The server serves the dashboard from apps/dashboard/dist: build it once.
const dashboardDir = path.join(root, 'apps/dashboard');
if (!existsSync(path.join(dashboardDir, 'dist/index.html'))) {
  console.log('building the dashboard (apps/dashboard/dist) ...');
  const built = spawnSync(path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: dashboardDir, stdio: 'inherit' });
  if (built.status !== 0) console.error('dashboard build failed: the API still runs; see the output above');
}

/** A child process of the demo and its end. */
interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
}

// The agents run as they ship: the bundle of apps/agent/scripts/build.mjs (~1 s to build, from
// the sources as they are now), on this node. Each starts in ~0.15 s where tsx compiled the
// sources again in every process. Not through bin/fleetmedic-agent: run as root (a container),
// the launcher refuses files that are not root's, as a LaunchDaemon must.
const agentBundle = path.join(dataDir, 'agent', 'agent.mjs');
const agentBuild = spawnSync(process.execPath, [path.join(root, 'apps/agent/scripts/build.mjs'), '--outdir', path.dirname(agentBundle)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (agentBuild.status !== 0) {
  console.error(`the agent build failed (apps/agent/scripts/build.mjs, ${agentBuild.error?.message ?? `exit ${agentBuild.status}`}): see the output above`);
  process.exit(1);
}

/**
 * Starts node with `args`: a script with tsx as its loader (the server), or the agent bundle. No tsx wrapper process, whose signal relay would send a second SIGINT (or a
 * SIGKILL when the child is busy) in the middle of a clean shutdown. Detached, in its own process
 * group, so a terminal's Ctrl-C reaches only the demo, which then stops the children in order.
 */
function launch(name: string, args: string[], env: NodeJS.ProcessEnv, stdout: 'inherit' | 'ignore'): Child {
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    // A process that could not start emits no 'exit': say why, and count it as ended.
    proc.once('error', (error) => {
      console.error(`${name} could not start: ${error.message}`);
      resolve();
    });
  });
  return { name, proc, exited };
}

const running = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

/** Sends `signal` to a child's process group (it and anything it started), if it still runs. */
function signal(c: Child, sig: NodeJS.Signals): void {
  if (!running(c) || c.proc.pid === undefined) return;
  try {
    process.kill(-c.proc.pid, sig);
  } catch {
    // gone in between
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
async function stopChild(c: Child, graceMs: number): Promise<void> {
  if (!running(c)) return;
  signal(c, 'SIGTERM');
  const force = setTimeout(() => {
    console.error(`${c.name} did not stop within ${graceMs / 1000} s: killing it`);
    signal(c, 'SIGKILL');
  }, graceMs);
  await c.exited;
  clearTimeout(force);
}

let server: Child | undefined;
const agents: Child[] = [];
let stopping = false;
let progressTimer: NodeJS.Timeout | undefined;

/** Stops the agents (their sockets close: the server marks them offline), then the server; exits with `code`. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return; // a second signal while stopping changes nothing
  stopping = true;
  clearTimeout(progressTimer);
  if (agents.some(running)) console.log('\nstopping the agents ...');
  await Promise.all(agents.map((a) => stopChild(a, AGENT_STOP_MS)));
  if (server && running(server)) console.log('stopping the server ...');
  if (server) await stopChild(server, SERVER_STOP_MS);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stopAll(0));
// Any other way out (an exception): the detached children must not outlive the demo.
process.on('exit', () => {
  for (const c of [...agents, ...(server ? [server] : [])]) signal(c, 'SIGTERM');
});

const serverUrl = `http://${host}:${port}`;
console.log(`starting the server on ${serverUrl} ...`);
server = launch('the server', ['--import', 'tsx', path.join(root, 'apps/server/src/cli.ts'), 'serve'], {
  PORT: String(port),
  HOST: host,
  FLEETMEDIC_DATA_DIR: dataDir,
  FLEETMEDIC_ENROLL_SECRET: secrets.enrollSecret,
  FLEETMEDIC_ADMIN_TOKEN: secrets.adminToken,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
}, 'inherit');
server.proc.on('exit', (code) => {
  if (stopping) return;
  console.error(`server exited (${code}); stopping the demo${code === 1 ? ' (port taken? set PORT=...)' : ''}`);
  void stopAll(code ?? 1);
});

/** Resolves once GET /api/v1/health answers 200; throws after `timeoutMs`. */
async function waitForServer(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${serverUrl}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server did not answer ${serverUrl}/api/v1/health within ${timeoutMs / 1000} s`);
}

try {
  await waitForServer(120_000);
} catch (error) {
  console.error((error as Error).message);
  await stopAll(1);
}
if (stopping) await new Promise(() => {}); // Ctrl-C during start-up: stopAll exits

const startedAt = Date.now();
for (const mac of macs) {
  const agent = launch(`agent ${mac}`, [
    agentBundle,
    'run',
    '--server', serverUrl,
    '--enroll-secret-file', enrollSecretFile,
    '--replay', path.join(macsDir, mac),
    '--state-dir', path.join(dataDir, 'agents', mac),
    '--schedule', schedule,
  ], { FLEETMEDIC_LOG_LEVEL: process.env.FLEETMEDIC_LOG_LEVEL ?? 'warn' }, 'ignore');
  agent.proc.on('exit', (code, sig) => {
    if (!stopping) console.error(`agent ${mac} exited (${code ?? sig}): that Mac will not report; its error is above`);
  });
  agents.push(agent);
}

console.log(`
FleetMedic demo is running (database: ${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite in ${dataDir.startsWith(root) ? path.relative(root, dataDir) : dataDir}`}).

  Dashboard   ${serverUrl}/
  API         ${serverUrl}/api/v1/devices
  Admin token ${secrets.adminToken}
  Agents      ${macs.length === 1 ? '1 recorded Mac' : `${macs.length} recorded Macs`} from recorded-macs/ (collect ${schedule === '*/2 * * * *' ? 'every 2 minutes' : `on "${schedule}"`})

  Try: curl -H "Authorization: Bearer ${secrets.adminToken}" ${serverUrl}/api/v1/fleet/summary

The Macs enroll and send their first report over the next minute or two (each agent is its own
Node process); the dashboard fills in as they do. Ctrl-C stops the agents, then the server.
`);

interface DeviceRow {
  hostname: string;
  serialNumber: string | null;
  online: boolean;
  lastReportAt: string | null;
}
const expected = macs.map((mac) => {
  const h = JSON.parse(readFileSync(path.join(macsDir, mac, 'host.json'), 'utf8')) as { hostname: string; serialNumber: string | null };
  return { mac, hostname: h.hostname, serialNumber: h.serialNumber };
});

/** Every device the server knows, all pages of the device list (admin token). */
async function allDevices(): Promise<DeviceRow[]> {
  const devices: DeviceRow[] = [];
  let cursor: string | null = null;
  do {
    const url = `${serverUrl}/api/v1/devices?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${secrets.adminToken}` } });
    if (!res.ok) throw new Error(`GET /api/v1/devices answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const page = (await res.json()) as { devices: DeviceRow[]; nextCursor: string | null };
    devices.push(...page.devices);
    cursor = page.nextCursor;
  } while (cursor);
  return devices;
}

/**
 * The fleet as the dashboard shows it: the recorded Macs of this run whose device has a report
 * received since the agents started, and the other devices in the database (earlier runs with
 * other FLEETMEDIC_DEMO_MACS, or other agents), with how many of those are offline.
 */
async function fleetState(): Promise<{ reported: Set<string>; others: number; othersOffline: number }> {
  const devices = await allDevices();
  const isOurs = (d: DeviceRow) => expected.some((e) => d.hostname === e.hostname && d.serialNumber === e.serialNumber);
  const fresh = devices.filter((d) => d.lastReportAt !== null && Date.parse(d.lastReportAt) >= startedAt);
  const others = devices.filter((d) => !isOurs(d));
  return {
    reported: new Set(expected.filter((e) => fresh.some((d) => d.hostname === e.hostname && d.serialNumber === e.serialNumber)).map((e) => e.mac)),
    others: others.length,
    othersOffline: others.filter((d) => !d.online).length,
  };
}

/**
 * The line printed once every recorded Mac of this run has reported. The dashboard lists every
 * device in the database, so Macs from earlier runs (another FLEETMEDIC_DEMO_MACS) are counted too.
 */
function allReportedLine(running: number, others: number, othersOffline: number, dashboard: string): string {
  const ours = running === 1 ? 'The recorded Mac has reported' : `All ${running} recorded Macs have reported`;
  if (others === 0) return `${ours}: the dashboard shows the whole fleet (${dashboard}).`;
  const online = others - othersOffline;
  const state = online === 0 ? (others === 1 ? 'offline' : 'all offline') : `${othersOffline} offline, ${online} online`;
  return `${ours}. The dashboard (${dashboard}) also lists ${others} other ${others === 1 ? 'Mac' : 'Macs'} from earlier runs `
    + `(${state}): ${macsWord(running + others)} in all.`;
}

/**
 * Prints "n/N Macs reported" when n changes, one line when all have, and the missing ones once if
 * slow. A failed poll is printed (once per distinct reason) and polling goes on.
 */
function followProgress(): void {
  let shown = -1;
  let namedSlow = false;
  let lastError = '';
  const poll = async () => {
    if (stopping) return;
    try {
      const { reported, others, othersOffline } = await fleetState();
      if (stopping) return;
      if (reported.size !== shown) {
        shown = reported.size;
        if (shown === macs.length) {
          console.log(allReportedLine(macs.length, others, othersOffline, `${serverUrl}/`));
          return;
        }
        console.log(`  ${shown}/${macsWord(macs.length)} reported ...`);
      }
      if (!namedSlow && Date.now() - startedAt > SLOW_AFTER_MS) {
        namedSlow = true;
        console.log(`  still waiting for: ${macs.filter((m) => !reported.has(m)).join(', ')} (any agent errors are above)`);
      }
    } catch (error) {
      const message = (error as Error).message;
      if (!stopping && message !== lastError) console.error(`cannot count the Macs that reported (retrying): ${message}`);
      lastError = message;
    }
    progressTimer = setTimeout(() => void poll(), PROGRESS_POLL_MS);
  };
  void poll();
}
followProgress();
