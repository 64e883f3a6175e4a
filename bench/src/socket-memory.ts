// `pnpm bench:sockets [--macs 1] [--connections 10] [--commands 50000]`: server memory with agent
// sockets that do not read (issue 15 item 5: 50,000 pending commands resent to 10 non-reading
// connections of one Mac took RSS 303 -> 612 MB). A fresh Postgres database (DATABASE_URL, default
// the local server), the real server in its own process, `--commands` queued commands per Mac
// inserted in SQL, then `--connections` sockets per Mac that never read (their TCP receive side
// paused), opened one after the other. Samples the server's RSS every 100 ms for 15 s, then lets
// the sockets read to count how the server closed them. Prints figures; asserts nothing.
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import WebSocket from 'ws';
import { positiveInt } from './args.js';
import { sampleProc } from './proc.js';
import { mb, table, type Figure } from './report.js';
import { adminQuery, createBenchDatabase, startServerProcess } from './server-process.js';
import { openDatabase, loadSigningKeyring } from '@fleetmedic/server';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';

const o = new Command()
  .name('bench:sockets')
  .option('--macs <n>', 'Macs, each with its own pending commands', positiveInt, 1)
  .option('--connections <n>', 'non-reading sockets per Mac', positiveInt, 10)
  .option('--commands <n>', 'queued commands per Mac', positiveInt, 50_000)
  .parse()
  .opts<{ macs: number; connections: number; commands: number }>();

const SECRET = 'bench-enroll-secret-0123';
const RESET = { type: 'tcc.reset' as const, params: { service: 'Camera' as const, bundleId: 'us.zoom.xos' } };
const bench = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const server = await startServerProcess({ databaseUrl: bench.url, enrollSecret: SECRET, adminToken: `bench-admin-${randomUUID()}` });
const db = await openDatabase({ databaseUrl: bench.url, migrate: false });
const figures: Figure[] = [];
const sockets: WebSocket[] = [];
try {
  const tokens: string[] = [];
  for (let i = 0; i < o.macs; i++) {
    const res = await fetch(`${server.url}/api/v1/enroll`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollSecret: SECRET, host: { hostname: `nonreading-${i}`, serialNumber: `C02NR${String(i).padStart(6, '0')}`, hardwareModel: 'MacBookPro18,3', architecture: 'arm64', platform: 'darwin' } }),
    });
    const answer = (await res.json()) as { deviceId: string; deviceToken: string };
    tokens.push(answer.deviceToken);
    // Signed with the server's key as the command service would (a row without its signature is never sent).
    const key = (await loadSigningKeyring(db.prisma, TEST_KEY_ENCRYPTION_KEY)).active;
    const t0 = Date.now() - o.commands * 1000;
    const rows = Array.from({ length: o.commands }, (_, i) => {
      const envelope = { id: randomUUID(), deviceId: answer.deviceId, action: RESET, createdAt: new Date(t0 + i * 1000).toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
      return { ...envelope, signature: key.sign(envelope), keyId: key.keyId };
    });
    await adminQuery(bench.url, `
      INSERT INTO "Command" (id, "deviceId", type, params, status, "createdBy", "createdAt", "expiresAt", signature, "keyId")
      SELECT id, "deviceId"::uuid, 'tcc.reset', $2::jsonb, 'queued', 'bench', "createdAt"::timestamp(3), "expiresAt"::timestamp(3), signature, "keyId"
      FROM json_to_recordset($1::json) AS v(id text, "deviceId" text, "createdAt" text, "expiresAt" text, signature text, "keyId" text)`, [JSON.stringify(rows), JSON.stringify(RESET.params)]);
  }
  const idle = sampleProc(server.pid).rssBytes;
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, sampleProc(server.pid).rssBytes);
  }, 100);
  const closes: number[] = [];
  const wsUrl = `${server.url.replace('http:', 'ws:')}/api/v1/agent/ws`;
  const started = Date.now();
  for (const token of tokens) {
    for (let c = 0; c < o.connections; c++) {
      const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      // Never read: the server's writes pile up in its socket buffers (what a stuck agent does).
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      ws.once('close', (code) => closes.push(code));
      sockets.push(ws);
    }
  }
  const connectedMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 15_000));
  clearInterval(sampler);
  const after = sampleProc(server.pid).rssBytes;
  // A paused socket cannot see its close frame: read what was buffered to learn how each ended.
  for (const ws of sockets) (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const deadline = Date.now() + 10_000;
  while (closes.length < sockets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const [{ sent }] = (await adminQuery<{ sent: string }>(bench.url, `SELECT count(*) AS sent FROM "Command" WHERE status = 'sent'`)) as [{ sent: string }];
  const n = o.macs * o.connections;
  figures.push(
    { name: `server RSS before the sockets (${o.macs} Mac(s), ${o.commands} queued commands each)`, value: mb(idle) },
    { name: `server RSS peak with ${n} non-reading socket(s)`, value: mb(peak) },
    { name: 'server RSS growth per non-reading socket ((peak - before) / sockets)', value: mb((peak - idle) / n) },
    { name: `server RSS 15 s after the last socket opened (all opened in ${(connectedMs / 1000).toFixed(1)} s)`, value: mb(after) },
    { name: 'sockets closed by the server (code: count; 4408 not reading, 4409 replaced)', value: Object.entries(closes.reduce<Record<number, number>>((a, c) => ({ ...a, [c]: (a[c] ?? 0) + 1 }), {})).map(([c, k]) => `${c}: ${k}`).join(', ') || 'none' },
    { name: 'commands marked sent', value: String(sent) },
  );
  console.log(table(figures));
} finally {
  for (const ws of sockets) ws.terminate();
  await server.stop();
  await db.close();
  await bench.drop();
}
