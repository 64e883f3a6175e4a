export { buildApp, type BuildAppOptions, type AppServices, type FleetMedicApp } from './app.js';
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export { loadConfig, ConfigError, DEFAULT_APP_CONFIG, type AppConfig, type ServerConfig } from './config.js';
export { openDatabase, type Database, type DatabaseOptions } from './db/index.js';
export { ingestReport, type IngestInput, type IngestOutcome, type DeviceHealth } from './ingest/ingest.js';
export { CommandService } from './commands/service.js';
export { LocalDispatcher, type CommandDispatcher } from './commands/dispatcher.js';
export { bootstrapCredentials, ensureCredentials } from './auth/bootstrap.js';
