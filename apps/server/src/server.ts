import path from 'node:path';
import { buildApp, type FleetMedicApp } from './app.js';
import { bootstrapCredentials, ensureCredentials } from './auth/bootstrap.js';
import { loadConfig, type ServerConfig } from './config.js';
import { openDatabase, type Database } from './db/index.js';

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
  /** stop on SIGINT/SIGTERM (default true) */
  handleSignals?: boolean;
  /** where first-start credentials are printed (default stdout) */
  print?: (line: string) => void;
}

/**
 * Opens the database (DATABASE_URL, else PGlite in <dataDir>/pglite; migrations applied), ensures
 * the env-given enrollment secret and admin token, creates random ones on first start when none
 * exist (printed once: only their hashes are stored), builds the app and listens. SIGINT/SIGTERM
 * close the sockets, the app and the database, then exit.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  let app: FleetMedicApp | undefined;
  try {
    await ensureCredentials(db.prisma, config.app);
    const created = await bootstrapCredentials(db.prisma);
    if (created.enrollSecret || created.adminToken) {
      print('FleetMedic first start: save these now, they are shown only once.');
      if (created.enrollSecret) print(`  enrollment secret: ${created.enrollSecret}`);
      if (created.adminToken) print(`  admin token:       ${created.adminToken}`);
    }
    app = await buildApp({ db, config: config.app, logger: { level: config.logLevel } });
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info({ db: db.description, migrations: db.appliedMigrations }, `FleetMedic server on ${url}`);
    let stopping: Promise<void> | undefined;
    const started = app;
    const stop = () => (stopping ??= (async () => {
      await started.close();
      await db.close();
    })());
    if (options.handleSignals !== false) {
      // `on`, not `once`: a second Ctrl-C (tsx and pnpm pass SIGINT on as well) must not kill the
      // process mid-shutdown, which would leave its Macs marked online.
      const onSignal = (signal: NodeJS.Signals) => {
        started.log.info({ signal }, stopping ? 'already shutting down' : 'shutting down');
        stop().then(() => process.exit(0), (err) => {
          console.error('shutdown failed:', err);
          process.exit(1);
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    return { app: started, db, url, stop };
  } catch (err) {
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}
