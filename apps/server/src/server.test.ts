import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG, type ServerConfig } from './config.js';
import { startServer } from './server.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('startServer', () => {
  it('opens PGlite in the data folder, prints first-start credentials once, serves, and stops cleanly', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fleetmedic-server-'));
    dirs.push(dataDir);
    const config: ServerConfig = { port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', app: { ...DEFAULT_APP_CONFIG } };
    const lines: string[] = [];
    const first = await startServer({ config, handleSignals: false, print: (l) => lines.push(l) });
    try {
      expect(first.db.description).toBe(`pglite ${path.join(dataDir, 'pglite')}`);
      const health = await fetch(`${first.url}/api/v1/health`);
      expect(await health.json()).toEqual({ ok: true, db: 'pglite' });
      const token = lines.find((l) => l.includes('admin token'))?.split(':').pop()?.trim();
      expect(token).toMatch(/^fm_admin_[A-Za-z0-9_-]{43}$/);
      expect(lines.some((l) => /enrollment secret: [A-Za-z0-9_-]{32}$/.test(l))).toBe(true);
      const devices = await fetch(`${first.url}/api/v1/devices`, { headers: { authorization: `Bearer ${token}` } });
      expect(await devices.json()).toEqual({ devices: [], nextCursor: null });
    } finally {
      await first.stop();
    }
    // Second start on the same folder: data kept, nothing printed.
    const again: string[] = [];
    const second = await startServer({ config, handleSignals: false, print: (l) => again.push(l) });
    try {
      expect(again).toEqual([]);
      expect(second.db.appliedMigrations).toEqual([]);
      expect(await second.db.prisma.adminToken.count({ where: { name: 'bootstrap' } })).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('uses the env-given credentials instead of creating random ones', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fleetmedic-server-'));
    dirs.push(dataDir);
    const config: ServerConfig = {
      port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent',
      app: { ...DEFAULT_APP_CONFIG, enrollSecrets: ['env-enroll-secret'], adminToken: 'env-admin-token-0123456789' },
    };
    const lines: string[] = [];
    const server = await startServer({ config, handleSignals: false, print: (l) => lines.push(l) });
    try {
      expect(lines).toEqual([]);
      const res = await fetch(`${server.url}/api/v1/fleet/summary`, { headers: { authorization: 'Bearer env-admin-token-0123456789' } });
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
