// `pnpm bench:commands [--devices 20000]`: where the time of a bulk command goes, step by step,
// without sockets or a simulator: a fresh Postgres database (DATABASE_URL, default the local
// server) with N devices, then one bulk command through the real services — plan, insert
// (commands + audit rows), delivery (UPDATE ... RETURNING, signing, serializing) to N in-memory
// sinks — and the cost of Ed25519 signing alone. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { positiveInt } from './args.js';
import type { ServerMessage } from '@fleetmedic/protocol';
import { CommandService, openDatabase } from '@fleetmedic/server';
import { BatchService } from '../../apps/server/src/commands/batches.js';
import { signingKey } from '../../apps/server/src/signing/signing-key.js';
import { fmt, table, type Figure } from './report.js';
import { createBenchDatabase } from './server-process.js';

const int = positiveInt;
const o = new Command()
  .name('bench:commands')
  .option('--devices <n>', 'devices in the fleet', int, 20_000)
  .parse()
  .opts<{ devices: number }>();
const bench = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const db = await openDatabase({ databaseUrl: bench.url });
const figures: Figure[] = [];
const ms = (t: number) => `${fmt(t, 0)} ms`;
try {
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Device" (id, hostname, "serialNumber", architecture, platform, "osVersion", "tokenHash", online, "lastSeenAt")
    SELECT gen_random_uuid(), 'mac-' || lpad(i::text, 5, '0'), 'C02' || lpad(i::text, 8, '0'), 'arm64', 'darwin', '15.3.1', md5(i::text), true, now()
    FROM generate_series(1, ${o.devices}) AS i`);
  if (process.env.NO_TRIGGERS) await db.prisma.$executeRawUnsafe(`ALTER TABLE "Command" DISABLE TRIGGER USER`);
  const commands = new CommandService(db.prisma, 3600);
  const batches = new BatchService(db.prisma, commands);
  const action = { type: 'agent.collect' as const, params: {} };

  const t0 = performance.now();
  const created = await batches.createBulkCommand(action, {}, 'bench', new Date(Date.now() - 3_600_000));
  const t1 = performance.now();
  figures.push({ name: `plan (${created.commands.length} targets)`, value: ms(created.timings.planMs) });
  figures.push({ name: 'insert commands + audit rows, commit', value: ms(t1 - t0 - created.timings.planMs) });

  let bytes = 0;
  const sinks = new Map(created.commands.map((c) => [c.deviceId, { send: (m: ServerMessage) => ((bytes += JSON.stringify(m).length), true) }]));
  const t2 = performance.now();
  const { sent } = await commands.deliverBatch(created.batchId, sinks);
  const t3 = performance.now();
  figures.push({ name: `deliver: mark sent, sign, serialize (${sent.length} commands, ${fmt(bytes / sent.length)} B each)`, value: ms(t3 - t2) });
  figures.push({ name: 'per command, create + deliver', value: `${fmt(((t3 - t0) * 1000) / sent.length)} µs` });

  const key = await signingKey(db.prisma);
  const envelope = { id: 'x', deviceId: created.commands[0]!.deviceId, action, createdAt: new Date().toISOString(), expiresAt: new Date().toISOString() };
  const t4 = performance.now();
  for (let i = 0; i < 5000; i++) key.signEnvelope({ ...envelope, id: String(i) });
  figures.push({ name: 'Ed25519 signature alone', value: `${fmt(((performance.now() - t4) * 1000) / 5000)} µs` });
  process.stdout.write(table(figures));
} finally {
  await db.close();
  await bench.drop();
}
