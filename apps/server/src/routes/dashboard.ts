import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { REPO_ROOT } from '../db/paths.js';

/** Where `pnpm --filter @fleetmedic/dashboard build` writes the page. */
export const DASHBOARD_DIST = path.join(REPO_ROOT, 'apps/dashboard/dist');

/**
 * Serves the admins' dashboard (static files; routes live in the URL hash, so no SPA fallback).
 * Hashed assets are cached for a year, index.html never. When the page is not built the server
 * still starts and `/` says how to build it.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dist?: string }> = async (app, opts) => {
  const dist = opts.dist ?? DASHBOARD_DIST;
  if (!existsSync(path.join(dist, 'index.html'))) {
    app.log.warn({ dist }, 'dashboard not built: GET / explains how to build it');
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('FleetMedic dashboard is not built. Run: pnpm --filter @fleetmedic/dashboard build\nThe HTTP API is at /api/v1/.\n'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    index: ['index.html'],
    wildcard: true,
    setHeaders(reply, filePath) {
      reply.header('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
};
