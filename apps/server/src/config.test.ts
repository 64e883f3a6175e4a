import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: path.resolve('.data'), logLevel: 'info' });
    expect(c.app).toMatchObject({ commandTtlSeconds: 604800, offlineAfterSeconds: 90, enrollSecrets: undefined, adminToken: undefined });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000', HOST: '0.0.0.0', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', FLEETMEDIC_DATA_DIR: '/var/lib/fleetmedic',
      FLEETMEDIC_ENROLL_SECRET: 'enroll-me-please', FLEETMEDIC_ADMIN_TOKEN: 'admin-token-0123456789', LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ port: 9000, host: '0.0.0.0', databaseUrl: 'postgresql://postgres@127.0.0.1:5432/test', dataDir: '/var/lib/fleetmedic', logLevel: 'debug' });
    expect(c.app).toMatchObject({ enrollSecrets: ['enroll-me-please'], adminToken: 'admin-token-0123456789' });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });

  it('names each bad variable, hiding secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', FLEETMEDIC_ADMIN_TOKEN: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid environment: /);
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('DATABASE_URL="mysql://x"');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect(message).toContain('FLEETMEDIC_ADMIN_TOKEN=(hidden)');
    expect(message).not.toContain('short');
  });

  it('refuses a port above 65535', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT="70000": must be 0-65535');
  });
});
