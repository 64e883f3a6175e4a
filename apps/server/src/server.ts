import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildApp, type FleetMedicApp } from './app.js';
import { bootstrapCredentials, ensureCredentials } from './auth/bootstrap.js';
import { DEFAULT_HEAP_GROWTH_PERCENT, DEFAULT_SHUTDOWN_TIMEOUT_SECONDS, loadConfig, type ServerConfig } from './config.js';
import { boundHeapGrowth } from './heap.js';
import { openDatabase, type Database } from './db/index.js';
import { handleShutdownSignals } from './shutdown.js';
import { resolveKeyEncryptionKey } from './signing/kek.js';

/** A running server: its address, and how to stop it (closes the app, then the database). */
export interface RunningServer {
  app: FleetMedicApp;
  db: Database;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** default: loadConfig(process.env) */
  config?: ServerConfig;
  /** stop on SIGINT/SIGTERM, then exit (default true) */
  handleSignals?: boolean;
  /** where first-start credentials are printed (default stdout) */
  print?: (line: string) => void;
}

/**
 * Bounds the V8 heap's growth (config.heapGrowthPercent, boundHeapGrowth), resolves the key-encryption key (FLEETMEDIC_KEY_ENCRYPTION_KEY, _FILE, else a file generated in
 * the data folder: signing/kek.ts), opens the database (DATABASE_URL, else PGlite in <dataDir>/pglite; migrations applied), ensures
 * the env-given enrollment secret and admin token, creates random ones on first start when none
 * exist (printed once: only their hashes are stored), builds the app and listens. SIGINT/SIGTERM
 * close the sockets, the app and the database, then exit (see handleShutdownSignals: exit 1 after
 * config.shutdownTimeoutSeconds, or on a signal more than 5 s after the first).
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  boundHeapGrowth(config.heapGrowthPercent ?? DEFAULT_HEAP_GROWTH_PERCENT);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  await mkdir(config.dataDir, { recursive: true });
  let generatedKek: string | undefined;
  const kek = await resolveKeyEncryptionKey({ ...config.keyEncryptionKey, dataDir: config.dataDir, onGenerated: (file) => { generatedKek = file; } });
  let app: FleetMedicApp | undefined;
  const db = await openDatabase({
    databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite'),
    onConnectionError: (error) => {
      if (app) app.log.warn({ err: error }, 'an idle database connection failed; the pool opens another for the next query');
      else process.emitWarning(`an idle database connection failed: ${error.message}`);
    },
  });
  try {
    await ensureCredentials(db.prisma, config.app);
    const created = await bootstrapCredentials(db.prisma);
    if (created.enrollSecret || created.adminToken) {
      print('FleetMedic first start: save these now, they are shown only once.');
      if (created.enrollSecret) print(`  enrollment secret: ${created.enrollSecret}`);
      if (created.adminToken) print(`  admin token:       ${created.adminToken}`);
    }
    app = await buildApp({ db, keyEncryptionKey: kek.key, config: config.app, logger: { level: config.logLevel } });
    if (generatedKek) {
      app.log.warn({ file: generatedKek }, 'no FLEETMEDIC_KEY_ENCRYPTION_KEY or FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE: generated a key-encryption key in this file (mode 0600). '
        + 'The command-signing keys in the database are sealed under it: keep it, back it up apart from the database, and give it to every server instance');
    }
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ db: db.description, migrations: db.appliedMigrations, keyEncryptionKey: { source: kek.source, id: kek.id } }, `FleetMedic server on ${url}`);
    let stopping: Promise<void> | undefined;
    let waitingFor: string | undefined;
    const started = app;
    const stop = () => (stopping ??= (async () => {
      waitingFor = 'closing the app (agent sockets, marking their Macs offline in the database, jobs)';
      await started.close();
      waitingFor = 'closing the database';
      await db.close();
      waitingFor = undefined;
    })());
    if (options.handleSignals !== false) {
      handleShutdownSignals({ stop, waitingFor: () => waitingFor, log: started.log, timeoutSeconds: config.shutdownTimeoutSeconds ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS });
    }
    return { app: started, db, url, stop };
  } catch (err) {
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}
