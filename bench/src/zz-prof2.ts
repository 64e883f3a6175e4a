import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Fleet } from './fleet.js';
import { createBenchDatabase, startServerProcess } from './server-process.js';
import { sampleProc } from './proc.js';
const db = await createBenchDatabase('postgresql://postgres@127.0.0.1:5432/postgres');
const secret = 'bench-secret-0123456789abcdef';
const server = await startServerProcess({ databaseUrl: db.url, enrollSecret: secret, adminToken: 'fm_admin_' + 'x'.repeat(40), nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof/server'] });
const fleet = new Fleet({ agents: 4000, serverUrl: server.url, enrollSecret: secret, stateRoot: await mkdtemp(path.join(os.tmpdir(), 'fm-prof-')), intervalSeconds: 100000, changeProbability: 0 });
await fleet.start();
console.log('started', fleet.stats().connected);
for (let i = 0; i < 2; i++) { await fleet.burst(false); await new Promise((r) => setTimeout(r, 3000)); }
const s0 = sampleProc(server.pid); const a0 = fleet.stats().acked;
for (let i = 0; i < 5; i++) { await fleet.burst(false); await new Promise((r) => setTimeout(r, 4000)); }
const s1 = sampleProc(server.pid); const acked = fleet.stats().acked - a0;
console.log('acked', acked, 'server CPU-s per 1000', (((s1 as any).cpuSeconds - (s0 as any).cpuSeconds) / acked * 1000).toFixed(3), JSON.stringify(s1));
await fleet.stop(); await server.stop(30000); await db.drop();
process.exit(0);
