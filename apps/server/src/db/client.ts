import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations } from './migrate.js';

export type { PrismaClient };

/** Where the data lives: a Postgres server (`DATABASE_URL`) or embedded PGlite in a folder. */
export interface DatabaseOptions {
  /** postgres://user@host:port/db. When absent, embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder; `memory://` for a throw-away database. Default `.data/pglite`. */
  dataDir?: string;
  /**
   * PGlite only: start from this data folder archive (PGlite's `dumpDataDir()` tarball) instead of
   * an empty cluster. Tests start from a migrated one (testing/pglite-template.ts): ~1 s instead
   * of ~3.5 s for initdb and 21 migrations.
   */
  pgliteArchive?: Blob;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Postgres only: connections of the command path's own pool (`commandPrisma`), default COMMAND_POOL_SIZE. */
  commandPoolSize?: number;
  /**
   * Postgres only: an idle connection of a pool failed (the server restarted or ended the session,
   * the network dropped it). The pool lets it go and opens another for the next query; this says
   * so. Default: a process warning. Without a listener for the whole life of the pool (Prisma's
   * own is removed at $disconnect, before the pool ends), such an error ended the process.
   */
  onConnectionError?: (error: Error) => void;
}

/**
 * Startup options of every Postgres connection:
 * - TimeZone UTC whatever the server's or the database's default. Every column is a timestamp
 *   without time zone holding UTC, and a column default (CURRENT_TIMESTAMP) is read in the
 *   session's zone: under America/New_York the audit rows of created commands were 5 hours early.
 * - JIT off. Our statements take many rows as one JSON parameter, which the planner estimates at
 *   100 rows whatever they hold, and their cost passes jit_above_cost (100,000 by default): the
 *   ingest fast path for 50 unchanged reports took 2.5 s, 2.2 s of it compiling 82 functions (0.1 s
 *   with JIT off); with such statements compiling, Postgres used 348 of the 462 CPU seconds of a
 *   20,000-Mac steady phase (run of 2026-12-06 19:08). The fleet's "what changed" query spent 5.7 s
 *   compiling a plan that ran in 0.1 s.
 */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c jit=off';

/** Connections of the main Prisma pool on Postgres (ingest, jobs, API reads). */
export const MAIN_POOL_SIZE = 10;
/**
 * Connections of the command path's pool on Postgres: the API's token checks, a single command's
 * create and delivery, the agents' acks and results, NOTIFY, and a bulk command (which holds at
 * most three at once: its cross-instance lock, one chunk being inserted, one being marked sent).
 * A connection is busy until the event loop reads its answer, which in a burst of reports is a
 * turn of 0.3–0.8 s: at 5, 40 commands a second (4–5 statements each) queued for seconds.
 */
export const COMMAND_POOL_SIZE = 16;

/** An open database: the Prisma client, which engine backs it, and how to close it. */
export interface Database {
  prisma: PrismaClient;
  /**
   * The command path's client (commands created, delivered, acked, finished; NOTIFY between
   * instances). On Postgres a second client over a small pool of its own, so a command's few
   * short statements never wait for a connection behind ingest batches in `prisma`'s pool; on
   * PGlite (one session) the same client as `prisma`.
   */
  commandPrisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** Human description without secrets, e.g. "postgres 127.0.0.1:5432/test" or "pglite .data/pglite". */
  description: string;
  /** Migrations applied by this open (empty when the database was up to date). */
  appliedMigrations: string[];
  /** The PGlite instance when kind is pglite (for LISTEN/NOTIFY and raw SQL in tests). */
  pglite?: PGlite;
  /** The Postgres connection string when kind is postgres (the cluster bus opens its own LISTEN connection with it). */
  databaseUrl?: string;
  /** The connection pools behind `prisma` (main) and `commandPrisma` (commands) when kind is postgres, for their statistics (/metrics). */
  pools?: { main: pg.Pool; commands: pg.Pool };
  close(): Promise<void>;
}

/**
 * The one Prisma client factory: a real Postgres when `databaseUrl` is set, otherwise embedded
 * PGlite (Postgres compiled to WebAssembly) in `dataDir`. Same schema, same migrations, same
 * code path. Throws when the database cannot be reached or a migration fails.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  let factory: SqlMigrationAwareDriverAdapterFactory;
  let commandFactory: SqlMigrationAwareDriverAdapterFactory | undefined;
  let pglite: PGlite | undefined;
  let pools: Database['pools'];
  let description: string;
  if (options.databaseUrl) {
    // Pools made here, not by the adapter, so their statistics can be read; close() ends them.
    pools = {
      main: new pg.Pool({ connectionString: options.databaseUrl, max: MAIN_POOL_SIZE, options: SESSION_OPTIONS }),
      commands: new pg.Pool({
        connectionString: options.databaseUrl, max: options.commandPoolSize ?? COMMAND_POOL_SIZE, application_name: 'fleetmedic-commands', options: SESSION_OPTIONS,
      }),
    };
    const onError = options.onConnectionError ?? ((error: Error) => process.emitWarning(`an idle database connection failed: ${error.message}; the pool opens another`));
    for (const pool of Object.values(pools)) pool.on('error', onError);
    factory = new PrismaPg(pools.main);
    commandFactory = new PrismaPg(pools.commands);
    const u = new URL(options.databaseUrl);
    description = `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } else {
    const dataDir = options.dataDir ?? '.data/pglite';
    if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
    // Loaded only here: PGlite's module costs ~40 MB of RSS that a server on Postgres never needs.
    const [{ PGlite: PGliteClass }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
    pglite = new PGliteClass(dataDir, options.pgliteArchive ? { loadDataDir: options.pgliteArchive } : {});
    await pglite.waitReady;
    factory = new PrismaPGlite(pglite);
    description = `pglite ${dataDir}`;
  }
  const appliedMigrations = options.migrate === false ? [] : await applyMigrations(factory);
  const prisma = new PrismaClient({ adapter: factory });
  const commandPrisma = commandFactory ? new PrismaClient({ adapter: commandFactory }) : prisma;
  return {
    prisma,
    commandPrisma,
    kind: pglite ? 'pglite' : 'postgres',
    description,
    appliedMigrations,
    pglite,
    databaseUrl: options.databaseUrl,
    pools,
    async close() {
      await prisma.$disconnect();
      if (commandPrisma !== prisma) await commandPrisma.$disconnect();
      await Promise.all(Object.values(pools ?? {}).filter((pool) => !pool.ending).map((pool) => pool.end()));
      await pglite?.close();
    },
  };
}
