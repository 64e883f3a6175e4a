// `pnpm bench:commands [--devices 20000]`: where the time of the command path goes, without
// sockets or a simulator: a fresh Postgres database (DATABASE_URL, default the local server) with
// N devices, each with an open tcc.camera.denied finding, then through the real services:
// - one bulk command to all N: plan, insert (commands + audit rows, committed chunk by chunk),
//   delivery of each chunk as soon as it is committed (UPDATE, signing, serializing) to N
//   in-memory sinks: when the first and the last Mac would have had it;
// - the remediation plan for the finding on all N;
// - single commands (create, deliver, ack, result stored) to a Mac connected to this instance
//   and to one on another, on an idle database and while the main pool is kept busy by long
//   statements (a stand-in for ingest batches);
// - the cost of an Ed25519 signature alone.
// Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { positiveInt } from './args.js';
import { DEFAULT_REMEDIATION_SCOPE, type CommandResult, type ServerMessage } from '@fleetmedic/protocol';
import { CommandService, openDatabase, BatchService, planRemediation, SigningKeySource, toEnvelope } from '@fleetmedic/server';
import { TEST_KEY_ENCRYPTION_KEY } from '@fleetmedic/server/testing/test-kek';
import { fmt, percentile, table, type Figure } from './report.js';
import { createBenchDatabase } from './server-process.js';

const int = positiveInt;
const o = new Command()
  .name('bench:commands')
  .option('--devices <n>', 'devices in the fleet', int, 20_000)
  .option('--singles <n>', 'single commands timed in each phase', int, 200)
  .option('--busy <n>', 'loops of 100 ms statements keeping the main pool busy in the second single-command phase', int, 20)
  .parse()
  .opts<{ devices: number; singles: number; busy: number }>();
const bench = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const db = await openDatabase({ databaseUrl: bench.url });
const figures: Figure[] = [];
const ms = (t: number) => `${fmt(t, 0)} ms`;
const REMEDY = { summary: 'reset the camera permission', action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } } };
try {
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Device" (id, hostname, "serialNumber", architecture, platform, "osVersion", "tokenHash", online, "lastSeenAt")
    SELECT gen_random_uuid(), 'mac-' || lpad(i::text, 5, '0'), 'C02' || lpad(i::text, 8, '0'), 'arm64', 'darwin', '15.3.1', md5(i::text), true, now()
    FROM generate_series(1, ${o.devices}) AS i`);
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO "Finding" (id, "deviceId", "ruleId", key, severity, title, evidence, remedy, state)
    SELECT gen_random_uuid(), id, 'tcc.camera.denied', 'tcc.camera.denied:us.zoom.xos', 'critical', 'Zoom is denied the camera', '{}', $1::jsonb, 'open'
    FROM "Device"`, JSON.stringify(REMEDY));
  const deviceIds = (await db.prisma.device.findMany({ select: { id: true } })).map((d) => d.id);
  if (process.env.NO_TRIGGERS) await db.prisma.$executeRawUnsafe(`ALTER TABLE "Command" DISABLE TRIGGER USER`);
  const keys = new SigningKeySource(db.prisma, TEST_KEY_ENCRYPTION_KEY);
  const commands = new CommandService(db.commandPrisma, 3600, keys);
  await keys.get(); // loaded before a batch's transaction needs it (PGlite has one session)
  const action = { type: 'agent.collect' as const, params: {} };

  // Bulk command: every chunk is delivered as soon as it is committed.
  let bytes = 0;
  let sent = 0;
  let firstAt = Number.NaN;
  let lastAt = Number.NaN;
  const sink = { send: (m: ServerMessage) => ((bytes += JSON.stringify(m).length), (sent += 1), (lastAt = performance.now()), (firstAt = Number.isNaN(firstAt) ? lastAt : firstAt), true) };
  const sinks = new Map(deviceIds.map((id) => [id, sink]));
  const batches = new BatchService(commands, { dispatchBatch: async (batchId, chunk) => void (await commands.deliverBatch(batchId, sinks, chunk)) }, db.kind);
  const t0 = performance.now();
  const created = await batches.createBulkCommand(action, {}, 'bench', new Date(Date.now() - 3_600_000));
  const t1 = performance.now();
  const { planMs, insertMs } = created.timings;
  figures.push({ name: `bulk command: plan (${created.commands.length} targets)`, value: ms(planMs) });
  figures.push({ name: 'bulk command: insert commands + audit rows, every chunk committed', value: ms(planMs + insertMs) + ' from the call' });
  figures.push({ name: 'bulk command: first Mac reached', value: ms(firstAt - t0) + ' from the call' });
  figures.push({ name: `bulk command: last Mac reached (${sent} commands, ${fmt(bytes / sent)} B each)`, value: ms(lastAt - t0) + ' from the call' });
  figures.push({ name: 'bulk command: call returned', value: ms(t1 - t0) });
  figures.push({ name: 'bulk command: per command, create + deliver', value: `${fmt(((lastAt - t0) * 1000) / sent)} µs` });

  // The remediation plan, on devices that now also have an agent.collect in flight.
  const t2 = performance.now();
  const plan = await planRemediation(db.commandPrisma, 'tcc.camera.denied', {}, new Date(Date.now() - 3_600_000), DEFAULT_REMEDIATION_SCOPE);
  figures.push({ name: `remediation plan (${plan.targets.length} targets, ${plan.skipped.length} skipped)`, value: ms(performance.now() - t2) });

  // Single commands to one Mac: create -> delivered -> ack -> result stored.
  const result: CommandResult = { status: 'succeeded', exitCode: 0, stdout: '', stderr: '', argv: [], startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1 };
  // `here`: its socket is on this instance (stored sent and sent by create); else delivered after
  // (deliverPending, as for a Mac whose socket another instance holds). Each time is API call ->
  // at the Mac, then -> result stored.
  const singles = async (here: boolean) => {
    const toMac: number[] = [];
    const total: number[] = [];
    const one = deviceIds[0]!;
    for (let i = 0; i < o.singles; i++) {
      const s = performance.now();
      const cmd = await commands.create(one, action, 'bench', here ? { sink } : {});
      if (!here) await commands.deliverPending(one, sink);
      toMac.push(performance.now() - s);
      await commands.recordAck(one, cmd.id);
      await commands.recordResult(one, cmd.id, result);
      total.push(performance.now() - s);
    }
    return `${fmt(percentile(toMac, 50), 1)} / ${fmt(percentile(toMac, 99), 1)} ms at the Mac, ${fmt(percentile(total, 50), 1)} / ${fmt(percentile(total, 99), 1)} ms result stored`;
  };
  const phase = async (label: string) => {
    figures.push({ name: `single command, ${label}, Mac connected here, p50 / p99 (${o.singles})`, value: await singles(true) });
    figures.push({ name: `  the same, Mac on another instance (create, then deliver)`, value: await singles(false) });
  };
  await phase('idle');
  let busy = true;
  const loops = Array.from({ length: o.busy }, async () => {
    while (busy) await db.prisma.$executeRawUnsafe('SELECT pg_sleep(0.1)');
  });
  await phase(`main pool busy (${o.busy} loops of 100 ms statements)`);
  busy = false;
  await Promise.all(loops);

  const key = (await keys.get()).active;
  const envelope = { id: 'x', deviceId: deviceIds[0]!, action, createdAt: new Date().toISOString(), expiresAt: new Date().toISOString() };
  const t4 = performance.now();
  for (let i = 0; i < 5000; i++) key.signEnvelope({ ...envelope, id: String(i) });
  figures.push({ name: 'Ed25519 signature alone', value: `${fmt(((performance.now() - t4) * 1000) / 5000)} µs` });
  // What signing at creation adds to a bulk command of 20,000: one by one on the loop, and in the pool as CommandService.insertRows does.
  const rows = Array.from({ length: 20_000 }, (_, i) => commands.row({ deviceId: deviceIds[i % deviceIds.length]!, action, actor: 'bench' }));
  const t5 = performance.now();
  for (const row of rows) key.sign(toEnvelope(row));
  figures.push({ name: 'signing 20,000 commands one by one on the event loop', value: ms(performance.now() - t5) });
  const t6 = performance.now();
  await key.signAll(rows.map(toEnvelope));
  figures.push({ name: 'signing 20,000 commands in the thread pool (signAll, as insertRows does)', value: ms(performance.now() - t6) });
  process.stdout.write(`${table(figures)}\n`);
} finally {
  await db.close();
  await bench.drop();
}
