import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: path.resolve('.data'), logLevel: 'info', shutdownTimeoutSeconds: 30, heapGrowthPercent: 100 });
    expect(c.app).toMatchObject({ commandTtlSeconds: 604800, offlineAfterSeconds: 90, enrollSecrets: undefined, adminToken: undefined });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000', HOST: '0.0.0.0', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', FLEETMEDIC_DATA_DIR: '/var/lib/fleetmedic',
      FLEETMEDIC_ENROLL_SECRET: 'enroll-me-please', FLEETMEDIC_ADMIN_TOKEN: 'admin-token-0123456789', LOG_LEVEL: 'debug',
      FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '45', FLEETMEDIC_HEAP_GROWTH_PERCENT: '0',
    });
    expect(c).toMatchObject({ port: 9000, host: '0.0.0.0', databaseUrl: 'postgresql://postgres@127.0.0.1:5432/test', dataDir: '/var/lib/fleetmedic', logLevel: 'debug', shutdownTimeoutSeconds: 45, heapGrowthPercent: 0 });
    expect(c.app).toMatchObject({ enrollSecrets: ['enroll-me-please'], adminToken: 'admin-token-0123456789' });
  });

  it('refuses a shutdown timeout of 0 or not a whole number of seconds', () => {
    expect(() => loadConfig({ FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS="0"/);
    expect(() => loadConfig({ FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: '2.5' })).toThrow(ConfigError);
  });

  it('refuses a heap growth that is not a whole percent up to 999', () => {
    expect(() => loadConfig({ FLEETMEDIC_HEAP_GROWTH_PERCENT: '1000' })).toThrow(/FLEETMEDIC_HEAP_GROWTH_PERCENT="1000"/);
    expect(() => loadConfig({ FLEETMEDIC_HEAP_GROWTH_PERCENT: '-5' })).toThrow(ConfigError);
    expect(() => loadConfig({ FLEETMEDIC_HEAP_GROWTH_PERCENT: '12.5' })).toThrow(ConfigError);
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

  it('reads the failed-authentication limits and the trusted proxies; unset limits stay unset (defaults apply in the app)', () => {
    const c = loadConfig({
      FLEETMEDIC_AUTH_MAX_FAILURES: '10', FLEETMEDIC_DEVICE_AUTH_MAX_FAILURES: '5000', FLEETMEDIC_AUTH_FAILURE_WINDOW_SECONDS: '900',
      FLEETMEDIC_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback',
    });
    expect(c.app.authFailureLimit).toEqual({ maxFailures: 10, maxDeviceFailures: 5000, windowSeconds: 900 });
    expect(c.app.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
    expect(loadConfig({ FLEETMEDIC_AUTH_MAX_FAILURES: '7' }).app.authFailureLimit).toEqual({ maxFailures: 7 });
    expect(loadConfig({}).app).toMatchObject({ authFailureLimit: {}, trustProxy: undefined });
  });

  it('refuses a zero, fractional or non-numeric limit and a trusted proxy that is not an address', () => {
    for (const [key, value] of [['FLEETMEDIC_AUTH_MAX_FAILURES', '0'], ['FLEETMEDIC_AUTH_MAX_FAILURES', '2.5'], ['FLEETMEDIC_AUTH_FAILURE_WINDOW_SECONDS', 'ten'], ['FLEETMEDIC_DEVICE_AUTH_MAX_FAILURES', '-1']] as const) {
      expect(() => loadConfig({ [key]: value }), `${key}=${value}`).toThrow(`${key}=${JSON.stringify(value)}: must match pattern`);
    }
    expect(() => loadConfig({ FLEETMEDIC_TRUST_PROXY: '10.0.0.0/33' })).toThrow('FLEETMEDIC_TRUST_PROXY="10.0.0.0/33": "10.0.0.0/33" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal');
    expect(() => loadConfig({ FLEETMEDIC_TRUST_PROXY: 'proxy.internal' })).toThrow('"proxy.internal" is not an IP address');
    expect(() => loadConfig({ FLEETMEDIC_TRUST_PROXY: ' , ' })).toThrow('names no address');
  });

  it('reads the history and audit retentions in whole days; refuses 0, fractions and words', () => {
    expect(loadConfig({}).app).toMatchObject({ retentionDays: 90, auditRetentionDays: 365 });
    expect(loadConfig({ FLEETMEDIC_RETENTION_DAYS: '30', FLEETMEDIC_AUDIT_RETENTION_DAYS: '730' }).app).toMatchObject({ retentionDays: 30, auditRetentionDays: 730 });
    for (const value of ['0', '1.5', 'year', '-7']) {
      expect(() => loadConfig({ FLEETMEDIC_AUDIT_RETENTION_DAYS: value }), value).toThrow(`FLEETMEDIC_AUDIT_RETENTION_DAYS=${JSON.stringify(value)}: must match pattern`);
    }
  });

  it('reads the metrics token; refuses a short one without printing it', () => {
    expect(loadConfig({ FLEETMEDIC_METRICS_TOKEN: 'scrape-token-0123456789' }).app.metricsToken).toBe('scrape-token-0123456789');
    expect(loadConfig({}).app.metricsToken).toBeUndefined();
    let message = '';
    try {
      loadConfig({ FLEETMEDIC_METRICS_TOKEN: 'short-token' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid environment: FLEETMEDIC_METRICS_TOKEN=\(hidden\): /);
    expect(message).not.toContain('short-token');
  });

  it('refuses a port above 65535', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT="70000": must be 0-65535');
  });
});
