#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';
import { keysCommand } from './signing/keys-cli.js';

const program = new Command()
  .name('fleetmedic-server')
  .description('FleetMedic server: agent gateway, ingest, diagnosis, commands and REST API')
  .addHelpText('after', `
Environment:
  PORT                      port to listen on (default 8080)
  HOST                      address to listen on (default 127.0.0.1)
  DATABASE_URL              postgres://user@host:port/db; unset: embedded PGlite in FLEETMEDIC_DATA_DIR/pglite
  FLEETMEDIC_DATA_DIR       data folder (default .data)
  FLEETMEDIC_ENROLL_SECRET  enrollment secret to ensure at start
  FLEETMEDIC_ADMIN_TOKEN    admin token (role admin) to ensure at start
  FLEETMEDIC_KEY_ENCRYPTION_KEY
                            32 random bytes, base64 (openssl rand -base64 32): seals the
                            command-signing keys in the database
  FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE
                            a file holding it instead; neither: FLEETMEDIC_DATA_DIR/key-encryption-key,
                            generated on first start (mode 0600)
  LOG_LEVEL                 fatal | error | warn | info | debug | trace | silent (default info)
  FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS
                            after SIGINT/SIGTERM, exit 1 if shutdown has not finished within this
                            many seconds (default 30); a signal more than 5 s after the first also
                            exits 1 at once`);

program
  .command('serve', { isDefault: true })
  .description('open the database, apply migrations, listen (default command)')
  .option('-p, --port <port>', 'overrides PORT')
  .option('--host <host>', 'overrides HOST')
  .action(async (opts: { port?: string; host?: string }) => {
    try {
      const config = loadConfig({ ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
      await startServer({ config });
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(err.message);
        process.exit(2);
      }
      console.error('server failed to start:', err instanceof Error ? err.message : err);
      process.exit(1);
    }
  });

program.addCommand(keysCommand());

await program.parseAsync(process.argv);
