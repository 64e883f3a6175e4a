import { isIP } from 'node:net';
import path from 'node:path';
import Type from 'typebox';
import type { Policy } from '@fleetmedic/protocol';
import { validator } from '@fleetmedic/protocol';
import type { AuthFailureLimit } from './auth/failure-limit.js';

/** What buildApp needs besides the database. Durations in seconds. */
export interface AppConfig {
  /** Enrollment secrets to ensure exist (stored hashed) at start: bootstrap, e.g. from FLEETMEDIC_ENROLL_SECRET. */
  enrollSecrets?: string[];
  /** Admin token (role admin) to ensure exists at start: bootstrap, e.g. from FLEETMEDIC_ADMIN_TOKEN. */
  adminToken?: string;
  /** Lifetime of a queued command before it expires, s (default 7 days). */
  commandTtlSeconds: number;
  /** A device whose last sign of life (message or pong) is older than this counts as offline, s (default 90). */
  offlineAfterSeconds: number;
  /** Policy used until an admin stores one with PUT /api/v1/policy (validated with resolvePolicy). */
  policy?: Partial<Policy>;
  /** WebSocket ping interval, s; a socket that missed the previous pong is terminated (default 30). */
  heartbeatSeconds?: number;
  /** Bytes of agent reports read and not yet answered past which every agent socket stops being read until half are answered (default 16 MiB: READ_HIGH_BYTES). */
  readHighBytes?: number;
  /** The longest one agent socket stays unread while the others are paused, however often they pause again, ms (default 12,000: MAX_SOCKET_PAUSE_MS; an agent closes a socket whose ping is unanswered for 30 s). */
  maxSocketPauseMs?: number;
  /** How often the job that expires old commands runs, s (default 60). */
  expirySweepSeconds?: number;
  /** How often the job that marks silent devices offline runs, s (default 30). */
  offlineSweepSeconds?: number;
  /**
   * SectionChange, FindingTransition and Report history, finished commands and batches left without
   * commands older than this are deleted (the latest change per section and transition per finding
   * are kept), days (default 90). The retention job: jobs/retention.ts.
   */
  retentionDays?: number;
  /** AuditLog rows and HostnameChange rows (but each Mac's latest) older than this are deleted, days (default 365). */
  auditRetentionDays?: number;
  /** How often the retention job runs, s (default 3600). */
  retentionSweepSeconds?: number;
  /** How often the fleet-sample job records the fleet's counts for the overview's trend, s (default 900). Samples are kept retentionDays. */
  fleetSampleSeconds?: number;
  /** How often the fleet-arrival-sample job checks for Macs enrolled or reporting for the first time, s (default 15): it samples the fleet when they changed. */
  fleetArrivalCheckSeconds?: number;
  /** Run the scheduled jobs on this instance (default true; each runs once per interval across instances anyway). */
  jobs?: boolean;
  /** Direct Postgres URL for the LISTEN connection when DATABASE_URL goes through PgBouncer in transaction mode (default DATABASE_URL). */
  listenDatabaseUrl?: string;
  /** How often each instance re-reads the signing keys (agreeing on the active one after `keys activate`), s (default 10). */
  signingKeyRefreshSeconds?: number;
  /** Serve the built dashboard at / (default true). */
  serveDashboard?: boolean;
  /**
   * Failed authentications allowed per client address before its wrong credentials get 429
   * (counted in Postgres, shared by every instance; each field defaults to
   * DEFAULT_AUTH_FAILURE_LIMIT: 30 bad secrets/API tokens and 1000 bad device tokens per 600 s).
   * Valid credentials are never counted and always pass.
   */
  authFailureLimit?: Partial<AuthFailureLimit>;
  /**
   * Addresses (IPs, CIDRs, or `loopback`/`linklocal`/`uniquelocal`) of the load balancers whose
   * X-Forwarded-For names the client, as Fastify's `trustProxy`. Unset: the client is the TCP
   * peer, so behind an HTTP load balancer every client would share its address (and its
   * failed-authentication count).
   */
  trustProxy?: string[];
  /**
   * Bearer token of `GET /metrics` (Prometheus), e.g. from FLEETMEDIC_METRICS_TOKEN. Unset: the
   * route does not exist (404) and the start logs that metrics are disabled.
   */
  metricsToken?: string;
}

/** Default of AppConfig.auditRetentionDays: the audit log is a record, kept longer than the history. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

export const DEFAULT_APP_CONFIG: AppConfig = {
  commandTtlSeconds: 7 * 24 * 3600,
  offlineAfterSeconds: 90,
  heartbeatSeconds: 30,
  expirySweepSeconds: 60,
  offlineSweepSeconds: 30,
  retentionDays: 90,
  auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
  retentionSweepSeconds: 3600,
  fleetSampleSeconds: 900,
  fleetArrivalCheckSeconds: 15,
  jobs: true,
};

/** Process settings read from the environment, plus the app config derived from them. */
export interface ServerConfig {
  port: number;
  host: string;
  /** postgres URL; absent means embedded PGlite in `<dataDir>/pglite` */
  databaseUrl?: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** FLEETMEDIC_KEY_ENCRYPTION_KEY / _FILE as given (resolveKeyEncryptionKey reads them; neither: a generated file in dataDir) */
  keyEncryptionKey?: { value?: string; file?: string };
  /** After SIGINT/SIGTERM, exit 1 if shutdown has not finished by then, s (default DEFAULT_SHUTDOWN_TIMEOUT_SECONDS). */
  shutdownTimeoutSeconds?: number;
  /** How far V8's heap may grow past what its last full collection kept, % (default DEFAULT_HEAP_GROWTH_PERCENT; 0: V8's own, up to ~300 %); see boundHeapGrowth. */
  heapGrowthPercent?: number;
  app: AppConfig;
}

/** Default of ServerConfig.heapGrowthPercent, %. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 100;

/** Default of ServerConfig.shutdownTimeoutSeconds, s. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The environment variables the server reads, as strings, with what each must look like. */
export const ServerEnv = Type.Object({
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', description: 'TCP port, 0-65535 (default 8080)' })),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'address to listen on (default 127.0.0.1)' })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user@host:port/db; unset for embedded PGlite' })),
  FLEETMEDIC_DATA_DIR: Type.Optional(Type.String({ minLength: 1, description: 'data folder (default .data)' })),
  FLEETMEDIC_ENROLL_SECRET: Type.Optional(Type.String({ minLength: 8, maxLength: 256, description: 'enrollment secret to ensure at start' })),
  FLEETMEDIC_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 256, description: 'admin token to ensure at start' })),
  LOG_LEVEL: Type.Optional(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)))),
  DATABASE_LISTEN_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'direct postgres URL for LISTEN when DATABASE_URL is a PgBouncer in transaction mode' })),
  FLEETMEDIC_RETENTION_DAYS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$', description: 'days of history (SectionChange, FindingTransition, Report) and finished commands kept (default 90)' })),
  FLEETMEDIC_AUDIT_RETENTION_DAYS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$', description: 'days of audit log (and hostname changes) kept (default 365)' })),
  FLEETMEDIC_AUTH_MAX_FAILURES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'bad enrollment secrets or admin tokens per address and window before 429 (default 30)' })),
  FLEETMEDIC_DEVICE_AUTH_MAX_FAILURES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,6}$', description: 'bad device tokens per address and window before 429 (default 1000)' })),
  FLEETMEDIC_AUTH_FAILURE_WINDOW_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'window of the failed-authentication counts, also the longest block, s (default 600)' })),
  FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$', description: 'after SIGINT/SIGTERM, exit 1 if shutdown has not finished within this many s (default 30)' })),
  FLEETMEDIC_HEAP_GROWTH_PERCENT: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'how far the V8 heap may grow past what its last full collection kept before the next one, % (default 100; 0: V8\'s own, up to ~300 %)' })),
  FLEETMEDIC_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 256, pattern: '^\\S+$', description: 'bearer token of GET /metrics (Prometheus); unset: /metrics is off (404)' })),
  FLEETMEDIC_KEY_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 1, description: '32 random bytes, base64: seals the command-signing keys in the database' })),
  FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'file holding FLEETMEDIC_KEY_ENCRYPTION_KEY (e.g. a mounted secret)' })),
  FLEETMEDIC_TRUST_PROXY: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z.:/, ]+$', description: 'comma-separated load balancer addresses/CIDRs whose X-Forwarded-For is trusted' })),
});

const checkEnv = validator(ServerEnv);

/** Thrown for a bad environment; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads PORT, HOST, DATABASE_URL, FLEETMEDIC_DATA_DIR, FLEETMEDIC_ENROLL_SECRET,
 * FLEETMEDIC_ADMIN_TOKEN, LOG_LEVEL, DATABASE_LISTEN_URL, FLEETMEDIC_RETENTION_DAYS, FLEETMEDIC_AUDIT_RETENTION_DAYS,
 * FLEETMEDIC_AUTH_MAX_FAILURES, FLEETMEDIC_DEVICE_AUTH_MAX_FAILURES,
 * FLEETMEDIC_AUTH_FAILURE_WINDOW_SECONDS, FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS, FLEETMEDIC_HEAP_GROWTH_PERCENT, FLEETMEDIC_KEY_ENCRYPTION_KEY(_FILE), FLEETMEDIC_TRUST_PROXY and FLEETMEDIC_METRICS_TOKEN. Empty strings count as unset. Throws ConfigError listing
 * each bad variable (e.g. `PORT="http": must match pattern ...`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ServerEnv.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const checked = checkEnv(picked);
  if (!checked.ok) {
    const lines = checked.errors.map((e) => {
      const key = e.split(':')[0]!.replace(/^\//, '');
      const shown = key.endsWith('SECRET') || key.endsWith('TOKEN') || key.endsWith('_KEY') ? '(hidden)' : JSON.stringify(picked[key]);
      return `${key}=${shown}: ${e.slice(e.indexOf(':') + 1).trim()}`;
    });
    throw new ConfigError(`invalid environment: ${lines.join('; ')}`);
  }
  const v = checked.value;
  const port = v.PORT === undefined ? 8080 : Number(v.PORT);
  if (port > 65535) throw new ConfigError(`invalid environment: PORT=${JSON.stringify(v.PORT)}: must be 0-65535`);
  const trustProxy = v.FLEETMEDIC_TRUST_PROXY === undefined ? undefined : parseTrustProxy(v.FLEETMEDIC_TRUST_PROXY);
  const limit = {
    maxFailures: optionalNumber(v.FLEETMEDIC_AUTH_MAX_FAILURES),
    maxDeviceFailures: optionalNumber(v.FLEETMEDIC_DEVICE_AUTH_MAX_FAILURES),
    windowSeconds: optionalNumber(v.FLEETMEDIC_AUTH_FAILURE_WINDOW_SECONDS),
  };
  return {
    port,
    host: v.HOST ?? '127.0.0.1',
    databaseUrl: v.DATABASE_URL,
    dataDir: path.resolve(v.FLEETMEDIC_DATA_DIR ?? '.data'),
    logLevel: v.LOG_LEVEL ?? 'info',
    keyEncryptionKey: { value: v.FLEETMEDIC_KEY_ENCRYPTION_KEY, file: v.FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE },
    shutdownTimeoutSeconds: optionalNumber(v.FLEETMEDIC_SHUTDOWN_TIMEOUT_SECONDS) ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    heapGrowthPercent: optionalNumber(v.FLEETMEDIC_HEAP_GROWTH_PERCENT) ?? DEFAULT_HEAP_GROWTH_PERCENT,
    app: {
      ...DEFAULT_APP_CONFIG,
      enrollSecrets: v.FLEETMEDIC_ENROLL_SECRET ? [v.FLEETMEDIC_ENROLL_SECRET] : undefined,
      adminToken: v.FLEETMEDIC_ADMIN_TOKEN,
      listenDatabaseUrl: v.DATABASE_LISTEN_URL,
      retentionDays: optionalNumber(v.FLEETMEDIC_RETENTION_DAYS) ?? DEFAULT_APP_CONFIG.retentionDays,
      auditRetentionDays: optionalNumber(v.FLEETMEDIC_AUDIT_RETENTION_DAYS) ?? DEFAULT_APP_CONFIG.auditRetentionDays,
      authFailureLimit: Object.fromEntries(Object.entries(limit).filter(([, n]) => n !== undefined)),
      trustProxy,
      metricsToken: v.FLEETMEDIC_METRICS_TOKEN,
    },
  };
}

const optionalNumber = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** FLEETMEDIC_TRUST_PROXY's items: IPs, IP/prefix CIDRs or proxy-addr's names; ConfigError naming a bad one. */
function parseTrustProxy(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    const [address = '', prefix, extra] = item.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (PROXY_NAMES.includes(item) || (family !== 0 && prefixOk && extra === undefined)) continue;
    throw new ConfigError(`invalid environment: FLEETMEDIC_TRUST_PROXY=${JSON.stringify(text)}: "${item}" is not an IP address, a CIDR or one of ${PROXY_NAMES.join(', ')}`);
  }
  if (items.length === 0) throw new ConfigError(`invalid environment: FLEETMEDIC_TRUST_PROXY=${JSON.stringify(text)}: names no address`);
  return items;
}
