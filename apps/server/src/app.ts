import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOSE_CODES } from '@fleetmedic/protocol';
import { adminRoutes } from './admin/routes.js';
import { ensureCredentials } from './auth/bootstrap.js';
import { authPlugin } from './auth/plugin.js';
import { ClusterDispatcher } from './cluster/dispatcher.js';
import { FleetEvents } from './cluster/events.js';
import { createNotifyBus, type NotifyBus, type ReconnectOptions } from './cluster/notify-bus.js';
import { clusterPlugin } from './cluster/plugin.js';
import { ClusterRegistry } from './cluster/registry.js';
import type { CommandDispatcher } from './commands/dispatcher.js';
import { commandRoutes } from './commands/routes.js';
import { CommandService } from './commands/service.js';
import { DEFAULT_APP_CONFIG, type AppConfig } from './config.js';
import type { Database } from './db/index.js';
import { enrollRoutes } from './enroll/routes.js';
import { SigningKeySource } from './signing/signing-key.js';
import { installErrorHandlers } from './errors.js';
import { gatewayPlugin } from './gateway/plugin.js';
import type { ConnectionRegistry } from './gateway/registry.js';
import { addServerJobs, jobsPlugin } from './jobs/plugin.js';
import { JobScheduler } from './jobs/scheduler.js';
import { contextPlugin } from './plugins/context.js';
import { strictValidatorCompiler } from './plugins/validator.js';
import { policyRoutes } from './policy/routes.js';
import { PolicyStore } from './policy/store.js';
import { deviceRoutes } from './devices/routes.js';
import { eventRoutes, redactTokenInUrl } from './events/routes.js';
import { fleetRoutes } from './fleet/routes.js';
import { healthRoutes } from './health.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { meRoutes } from './auth/me-route.js';
import { ServerMetrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { docsRoutes, registerOpenApi } from './docs/openapi.js';

/** buildApp's inputs: an open database (the caller closes it after app.close()), the key-encryption key, a logger, the config. */
export interface BuildAppOptions {
  db: Database;
  /**
   * The key-encryption key (32 bytes) the signing keys are sealed under in the database
   * (startServer resolves it: signing/kek.ts). Starting with another one than the keys were
   * sealed under fails at ready, naming both KEK ids.
   */
  keyEncryptionKey: Buffer;
  /** Fastify logger option: false (default), true, or pino options such as `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger'];
  /** defaults: DEFAULT_APP_CONFIG (commands live 7 days, offline after 90 s, ping every 30 s) */
  config?: Partial<AppConfig>;
  /** LISTEN connection retry timing (tests shorten it) */
  reconnect?: ReconnectOptions;
}

/** The services behind the routes, exposed for tests and for the demo launcher. */
export interface AppServices {
  commands: CommandService;
  dispatcher: CommandDispatcher;
  policy: PolicyStore;
  registry: ConnectionRegistry;
  /** Postgres LISTEN/NOTIFY between instances (commands, socket ownership, change events) */
  bus: NotifyBus;
  /** change events from every instance, behind GET /api/v1/events */
  events: FleetEvents;
  /** offline detection, command expiry, retention, fleet samples: each once per interval across instances */
  jobs: JobScheduler;
  /** random per buildApp: names this instance in socket announcements and JobRun rows */
  instanceId: string;
  /** the one source of the fleet's signing keys in this server: commands are signed and checked with it, enrollment announces its active key */
  keys: SigningKeySource;
  /** this instance's Prometheus metrics, behind GET /metrics */
  metrics: ServerMetrics;
}

export type FleetMedicApp = FastifyInstance & { services: AppServices };

/**
 * The FleetMedic server as a Fastify instance, one plugin per concern: context (db, config),
 * cluster (Postgres LISTEN/NOTIFY: commands reach a Mac on any instance, one socket per device
 * fleet-wide, change events), auth (admin tokens and roles), enrollment, agent gateway
 * (WebSocket), commands, scheduled jobs (offline detection, command expiry, retention; each
 * once per interval across instances), policy, devices/fleet/health REST routes, server-sent
 * events, admin routes. Many instances may run on one database. Bootstrap credentials given in the
 * config are ensured when the app becomes ready. Does not listen: call `app.listen()` or `app.inject()`.
 */
export async function buildApp(options: BuildAppOptions): Promise<FleetMedicApp> {
  const config: AppConfig = { ...DEFAULT_APP_CONFIG, ...options.config };
  const app = Fastify({ logger: withRedactedUrls(options.logger ?? false), bodyLimit: 1024 * 1024, trustProxy: config.trustProxy ?? false })
    .withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(strictValidatorCompiler);
  installErrorHandlers(app);
  // First: it records the routes registered after it.
  await registerOpenApi(app);

  const prisma = options.db.prisma;
  const instanceId = randomUUID();
  const bus = createNotifyBus(options.db, app.log, { listenUrl: config.listenDatabaseUrl, reconnect: options.reconnect });
  const registry = new ClusterRegistry(bus, instanceId, app.log);
  // The command path runs on its own pool (db.commandPrisma): commands never queue behind ingest.
  const keys = new SigningKeySource(prisma, options.keyEncryptionKey, { refreshMs: (config.signingKeyRefreshSeconds ?? 10) * 1000, log: app.log });
  const commands = new CommandService(options.db.commandPrisma, config.commandTtlSeconds, keys, app.log);
  const dispatcher = new ClusterDispatcher(registry, commands, bus, app.log, instanceId);
  const events = new FleetEvents(bus, app.log);
  const jobs = addServerJobs(new JobScheduler({ prisma, instanceId, log: app.log }), config);
  const policy = new PolicyStore(options.db.commandPrisma, config.policy ?? {}, bus);
  const metrics = new ServerMetrics(options.db.pools);
  commands.onResultStored((seconds) => metrics.commandRoundTrip(seconds));
  jobs.onAttempt((job, outcome) => metrics.jobAttempt(job, outcome));
  const services: AppServices = { commands, dispatcher, policy, registry, bus, events, jobs, instanceId, keys, metrics };

  await app.register(contextPlugin, { db: options.db, config });
  await app.register(clusterPlugin, { bus, registry });
  await app.register(authPlugin, { bus });
  app.addHook('onReady', async () => ensureCredentials(prisma, config));
  // The keys load at ready, so a wrong key-encryption key stops the start with the reason.
  app.addHook('onReady', async () => {
    await keys.get();
    keys.start();
  });
  app.addHook('onClose', async () => keys.stop());
  // A key announced since the last re-read goes to every agent connected here at once.
  keys.onAnnouncements((message) => {
    for (const conn of registry.all()) conn.send(message);
  });

  await app.register(healthRoutes);
  await app.register(enrollRoutes, {
    keys,
    // The old token no longer opens a socket; close one still using it.
    onReenroll: (deviceId) => registry.get(deviceId)?.close(CLOSE_CODES.unauthorized, 'device re-enrolled: this token was replaced'),
  });
  await app.register(gatewayPlugin, { registry, commands, policy, heartbeatSeconds: config.heartbeatSeconds ?? 30, readHighBytes: config.readHighBytes, maxSocketPauseMs: config.maxSocketPauseMs, metrics });
  await app.register(commandRoutes, { commands, dispatcher, policy });
  await app.register(jobsPlugin, { scheduler: jobs });
  await app.register(eventRoutes, { events, instanceId });
  await app.register(policyRoutes, { store: policy });
  await app.register(deviceRoutes);
  await app.register(fleetRoutes);
  await app.register(adminRoutes);
  await app.register(meRoutes);
  await app.register(metricsRoutes, { metrics, token: config.metricsToken });
  await app.register(docsRoutes);
  if (config.serveDashboard !== false) await app.register(dashboardRoutes);

  return Object.assign(app as unknown as FastifyInstance, { services });
}

/** The logger option with `?token=` values (GET /api/v1/events) redacted from logged request URLs. */
function withRedactedUrls(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  const base = typeof logger === 'object' ? logger : {};
  return {
    ...base,
    serializers: {
      req: (req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method, url: redactTokenInUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort,
      }),
      ...(base as { serializers?: Record<string, unknown> }).serializers,
    },
  } as FastifyServerOptions['logger'];
}
