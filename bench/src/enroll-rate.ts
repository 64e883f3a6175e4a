// pnpm bench:enroll [--agents 2000] [--concurrency 200] [--addresses 64] [--rounds 2]
// Enrollment and agent-socket rates from one client address versus many. The failed-authentication
// limiter (apps/server/src/auth/failure-limit.ts) is not on the path of a valid credential, so the
// two should match; the simulator's Macs all come from 127.0.0.1, a real fleet from many
// addresses. Every address of 127.0.0.0/8 is this machine's loopback on Linux, so the same requests
// are sent once from 127.0.0.1 and once spread over 127.0.0.2-…: a difference would be the limiter's.
// Starts the server in its own process on a fresh database (dropped at the end). Prints figures
// with the load average beside them; asserts nothing.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import WebSocket from 'ws';
import { positiveInt } from './args.js';
import { percentile, fmt } from './report.js';
import { createBenchDatabase, startServerProcess } from './server-process.js';
import { ensureOpenFiles } from './ulimit.js';

const o = new Command()
  .name('bench:enroll')
  .description('enrollments and agent-socket upgrades per second, from one client address and from many')
  .option('--agents <n>', 'enrollments per measurement', positiveInt, 2000)
  .option('--concurrency <n>', 'requests in flight (the simulator uses 200 per process)', positiveInt, 200)
  .option('--addresses <n>', 'client addresses of the spread measurement (127.0.0.2 onwards)', positiveInt, 64)
  .option('--rounds <n>', 'measurements of each kind, in alternating order (the machine\'s load drifts)', positiveInt, 2)
  .option('--database-url <url>', 'Postgres server (a database is created and dropped)', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  .parse()
  .opts<{ agents: number; concurrency: number; addresses: number; rounds: number; databaseUrl: string }>();
ensureOpenFiles(o.concurrency * 2 + 500);

const SECRET = `bench-enroll-rate-${Date.now()}`;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
/** Request i's client address: 127.0.0.1, or one of `o.addresses` from 127.0.2.1 on (all loopback). */
const clientAddress = (spread: boolean, i: number) => {
  if (!spread) return '127.0.0.1';
  const k = i % o.addresses;
  return `127.0.${2 + Math.floor(k / 250)}.${1 + (k % 250)}`;
};

/** POST /api/v1/enroll from `localAddress`; resolves with the device token, rejects on any non-201. */
function enrollOnce(url: URL, localAddress: string, serial: string): Promise<string> {
  const body = JSON.stringify({ enrollSecret: SECRET, host: { hostname: `rate-${serial}`, serialNumber: serial, hardwareModel: 'Mac14,2', architecture: 'arm64', platform: 'darwin' } });
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/api/v1/enroll', url), { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 201) return reject(new Error(`enroll: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        resolve((JSON.parse(text) as { deviceToken: string }).deviceToken);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens the agent socket with `token` from `localAddress` and closes it once open. */
function connectOnce(url: URL, localAddress: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(new URL('/api/v1/agent/ws', url.href.replace(/^http/, 'ws')), { headers: { authorization: `Bearer ${token}` }, localAddress });
    ws.once('open', () => {
      ws.close(1000, 'measured');
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`socket: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Runs `n` tasks, `concurrency` at a time; wall time (s), per-task latency (ms), failures. */
async function timed(n: number, task: (i: number) => Promise<unknown>): Promise<{ seconds: number; latencies: number[]; failures: string[] }> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      try {
        await task(i);
        latencies.push(performance.now() - t);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  }));
  return { seconds: (performance.now() - t0) / 1000, latencies, failures };
}

const db = await createBenchDatabase(o.databaseUrl);
const server = await startServerProcess({ databaseUrl: db.url, enrollSecret: SECRET, adminToken: `bench-enroll-rate-admin-${Date.now()}-0123456789` });
const url = new URL(server.url);
const lines: string[] = [];
try {
  let serial = 0;
  // Warm-up (not counted): a cold server (JIT, first inserts) would handicap whichever goes first.
  await timed(o.concurrency * 2, (i) => enrollOnce(url, clientAddress(true, i), `FMW${String(i).padStart(9, '0')}`));
  for (let round = 1; round <= o.rounds; round++) {
    // Alternated, so a drifting load favours neither.
    for (const spread of round % 2 ? [false, true] : [true, false]) {
      const from = spread ? `${o.addresses} addresses` : 'one address';
      const load0 = loadavg();
      const tokens: Array<{ token: string; i: number }> = [];
      const enrolled = await timed(o.agents, async (i) => {
        tokens.push({ token: await enrollOnce(url, clientAddress(spread, i), `FMR${String(serial++).padStart(9, '0')}`), i });
      });
      const connected = await timed(tokens.length, (k) => connectOnce(url, clientAddress(spread, tokens[k]!.i), tokens[k]!.token));
      const line = (what: string, r: Awaited<ReturnType<typeof timed>>) =>
        `round ${round}, ${from.padEnd(13)} ${what}: ${fmt(r.latencies.length / r.seconds).padStart(5)} /s (${r.latencies.length} in ${fmt(r.seconds, 1)} s, p50 ${fmt(percentile(r.latencies, 50))} ms, p99 ${fmt(percentile(r.latencies, 99))} ms${r.failures.length ? `, ${r.failures.length} failed: ${r.failures[0]}` : ''})`;
      lines.push(`${line('enrollments', enrolled)}; load average ${load0} -> ${loadavg()}`);
      lines.push(`${line('socket opens', connected)}`);
      console.log(lines.at(-2));
      console.log(lines.at(-1));
    }
  }
} finally {
  await server.stop();
  await db.drop();
}
console.log(`\nenrollment rate, ${o.agents} per measurement, ${o.concurrency} in flight, one server instance, Node ${process.version}\n${lines.join('\n')}`);
process.exit(0);
