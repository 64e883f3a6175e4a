import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { REPO_ROOT } from '../db/paths.js';

/** Where `pnpm --filter @fleetmedic/dashboard build` writes the page. */
export const DASHBOARD_DIST = path.join(REPO_ROOT, 'apps/dashboard/dist');

/**
 * Headers of every dashboard response: the page loads only its own scripts, styles, images and
 * API (`'self'`; data: images for inline SVG), runs no inline script, is never framed
 * (clickjacking on the fix buttons), is never sniffed into another type, and sends no Referer
 * (the event stream may carry `?token=`).
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the admins' dashboard (static files; routes live in the URL hash, so no SPA fallback).
 * Hashed assets are cached for a year, index.html never. When the page is not built the server
 * still starts and `/` says how to build it. Every answer carries DASHBOARD_SECURITY_HEADERS.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dist?: string }> = async (app, opts) => {
  const dist = opts.dist ?? DASHBOARD_DIST;
  // This plugin is encapsulated: the hook covers the dashboard's routes, not the API's.
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(DASHBOARD_SECURITY_HEADERS);
  });
  if (!existsSync(path.join(dist, 'index.html'))) {
    app.log.warn({ dist }, 'dashboard not built: GET / explains how to build it');
    // The dashboard's page, not the API: hidden from the spec as @fastify/static hides its files.
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
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
