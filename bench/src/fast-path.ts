// `pnpm bench:fast-path [--devices 20000] [--rounds 3]`: what an unchanged report costs the server
// and Postgres on the ingest fast path (one statement per batch of up to 500, `fastPathIngest`), the
// path every report of a Mac whose facts did not change takes: the burst, the steady fleet.
// Fills a fresh Postgres database (DATABASE_URL, default the local server) with N devices, each
// stored whole through the real batcher from a recorded Mac's snapshot (tests/support/recorded-fleet),
// then, per round, sends every device an unchanged delta (hashes only, as its agent would) through
// the same batcher. Prints, per round, reports/s and the CPU seconds per 1,000 reports of Postgres
// (every `postgres` process of the machine) and of this process (the server's side).
// Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { DEFAULT_POLICY, type DeltaReportMessage } from '@fleetmedic/protocol';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { openDatabase, IngestBatcher, prepareReport, prepareSnapshot } from '@fleetmedic/server';
import { positiveInt } from './args.js';
import { createBenchDatabase } from './server-process.js';
import { MacModel, NO_VARIANT } from './model.js';
import { CpuTracker } from './proc.js';

const opts = new Command()
  .option('--devices <n>', 'devices to store', positiveInt, 20_000)
  .option('--rounds <n>', 'unchanged reports per device, per phase', positiveInt, 3)
  .parse()
  .opts<{ devices: number; rounds: number }>();
const bench = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const db = await openDatabase({ databaseUrl: bench.url });
const batcher = new IngestBatcher(db.prisma, { policy: async () => DEFAULT_POLICY });
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
try {
  const models = await MacModel.loadAll();
  const t0 = performance.now();
  const ids = (await db.prisma.$queryRawUnsafe<{ id: string }[]>(`
    INSERT INTO "Device" (id, hostname, architecture, platform, "tokenHash", online)
    SELECT gen_random_uuid(), 'mac-' || lpad(i::text, 6, '0'), 'arm64', 'darwin', md5('bench-fast-' || i), true
    FROM generate_series(1, ${opts.devices}) AS i RETURNING id::text AS id`)).map((r) => r.id).sort();
  // Device i is recorded Mac i mod M, as itself (its own hostname and serial number).
  const snapshotOf = (i: number, at: Date) => {
    const model = models[i % models.length]!;
    const host = { ...model.base.host, hostname: `mac-${i}`, serialNumber: `FMF${String(i).padStart(9, '0')}` };
    return model.snapshot(host, NO_VARIANT, at);
  };
  const start = new Date(Date.now() - 3_600_000);
  const stored = await Promise.all(ids.map((id, i) => batcher.submit(id, prepareSnapshot(`fill-${i}`, snapshotOf(i, start)))));
  const failed = stored.filter((o) => o.kind !== 'stored').length;
  if (failed > 0) throw new Error(`${failed} of ${ids.length} first reports were not stored`);
  await db.prisma.$executeRawUnsafe('VACUUM ANALYZE');
  const [size] = await db.prisma.$queryRawUnsafe<{ bytes: bigint }[]>(`SELECT pg_total_relation_size('"SectionState"') AS bytes`);
  console.log(`\ningest fast path, ${fmt(ids.length)} devices stored whole in ${fmt((performance.now() - t0) / 1000, 1)} s (${models.length} recorded Macs; SectionState ${fmt(Number(size!.bytes) / 1e6)} MB), batches of up to 500, Postgres\n`);

  for (let round = 1; round <= opts.rounds; round++) {
    const at = new Date(start.getTime() + round * 60_000);
    // Built before the clock starts: what the agents send, not what the server does.
    const deltas = ids.map((_, i): DeltaReportMessage => {
      const { sections, ...rest } = snapshotOf(i, at);
      return { type: 'report', id: `r${round}-${i}`, delta: { ...rest, hashes: sectionHashes(sections, MacModel.hash), sections: {} } };
    });
    const pgCpu = new CpuTracker('postgres');
    const self0 = process.cpuUsage();
    const t = performance.now();
    const outcomes = await Promise.all(ids.map((id, i) => batcher.submit(id, prepareReport(deltas[i]!))));
    const seconds = (performance.now() - t) / 1000;
    const pgSeconds = pgCpu.sample();
    const self = process.cpuUsage(self0);
    const unchanged = outcomes.filter((o) => o.kind === 'unchanged').length;
    const per1000 = (s: number) => fmt((1000 * s) / ids.length, 3);
    console.log(`  round ${round}: ${fmt(ids.length / seconds)} reports/s, ${fmt(unchanged)} of ${fmt(ids.length)} unchanged; `
      + `CPU-s per 1,000 reports: Postgres ${per1000(pgSeconds)}, server ${per1000((self.user + self.system) / 1e6)}`);
  }
} finally {
  await db.close();
  await bench.drop();
}
