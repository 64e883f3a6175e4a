import fp from 'fastify-plugin';
import type { Database } from '../db/index.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { AppConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** the open database (owned by the caller of buildApp, who closes it after app.close()) */
    db: Database;
    prisma: PrismaClient;
    appConfig: AppConfig;
  }
}

/** Shares the database and the app config with every plugin. */
export const contextPlugin = fp<{ db: Database; config: AppConfig }>(
  async (app, { db, config }) => {
    app.decorate('db', db);
    app.decorate('prisma', db.prisma);
    app.decorate('appConfig', config);
  },
  { name: 'fleetmedic-context' },
);
