import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOSE_CODES } from '@fleetmedic/protocol';
import { adminRoutes } from './admin/routes.js';
import { ensureCredentials } from './auth/bootstrap.js';
import { authPlugin } from './auth/plugin.js';
import { LocalDispatcher, type CommandDispatcher } from './commands/dispatcher.js';
import { expiryJobPlugin } from './commands/expiry-job.js';
import { commandRoutes } from './commands/routes.js';
import { CommandService } from './commands/service.js';
import { DEFAULT_APP_CONFIG, type AppConfig } from './config.js';
import type { Database } from './db/index.js';
import { enrollRoutes } from './enroll/routes.js';
import { installErrorHandlers } from './errors.js';
import { gatewayPlugin } from './gateway/plugin.js';
import { ConnectionRegistry } from './gateway/registry.js';
import { contextPlugin } from './plugins/context.js';
import { policyRoutes } from './policy/routes.js';
import { PolicyStore } from './policy/store.js';
import { deviceRoutes } from './routes/devices.js';
import { fleetRoutes } from './routes/fleet.js';
import { healthRoutes } from './routes/health.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { meRoutes } from './auth/me-route.js';

/** buildApp's inputs: an open database (the caller closes it after app.close()), a logger, the config. */
export interface BuildAppOptions {
  db: Database;
  /** Fastify logger option: false (default), true, or pino options such as `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger'];
  /** defaults: DEFAULT_APP_CONFIG (commands live 7 days, offline after 90 s, ping every 30 s) */
  config?: Partial<AppConfig>;
}

/** The services behind the routes, exposed for tests and for the demo launcher. */
export interface AppServices {
  commands: CommandService;
  dispatcher: CommandDispatcher;
  policy: PolicyStore;
  registry: ConnectionRegistry;
}

export type FleetMedicApp = FastifyInstance & { services: AppServices };

/**
 * The FleetMedic server as a Fastify instance, one plugin per concern: context (db, config),
 * auth (admin tokens and roles), enrollment, agent gateway (WebSocket), commands (+ expiry job),
 * policy, devices/fleet/health REST routes, admin routes. Bootstrap credentials given in the
 * config are ensured when the app becomes ready. Does not listen: call `app.listen()` or `app.inject()`.
 */
export async function buildApp(options: BuildAppOptions): Promise<FleetMedicApp> {
  const config: AppConfig = { ...DEFAULT_APP_CONFIG, ...options.config };
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1024 * 1024 }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandlers(app);

  const prisma = options.db.prisma;
  const registry = new ConnectionRegistry();
  const commands = new CommandService(prisma, config.commandTtlSeconds);
  const dispatcher = new LocalDispatcher(registry, commands);
  const policy = new PolicyStore(prisma, config.policy);
  const services: AppServices = { commands, dispatcher, policy, registry };

  await app.register(contextPlugin, { db: options.db, config });
  await app.register(authPlugin);
  app.addHook('onReady', async () => ensureCredentials(prisma, config));

  await app.register(healthRoutes);
  await app.register(enrollRoutes, {
    // The old token no longer opens a socket; close one still using it.
    onReenroll: (deviceId) => registry.get(deviceId)?.close(CLOSE_CODES.unauthorized, 'device re-enrolled: this token was replaced'),
  });
  await app.register(gatewayPlugin, { registry, commands, policy, heartbeatSeconds: config.heartbeatSeconds ?? 30 });
  await app.register(commandRoutes, { commands, dispatcher });
  await app.register(expiryJobPlugin, { commands, intervalSeconds: config.expirySweepSeconds ?? 60 });
  await app.register(policyRoutes, { store: policy });
  await app.register(deviceRoutes);
  await app.register(fleetRoutes);
  await app.register(adminRoutes);
  await app.register(meRoutes);
  if (config.serveDashboard !== false) await app.register(dashboardRoutes);

  return Object.assign(app as unknown as FastifyInstance, { services });
}
