import type { TccDatabase, TccFacts } from '@fleetmedic/protocol';

/** Services that decide whether Zoom can do a call, in the order the page lists them. */
export const CALL_SERVICES = ['kTCCServiceCamera', 'kTCCServiceMicrophone', 'kTCCServiceScreenCapture'] as const;

/** One row of the TCC table: one `access` row of one TCC.db. */
export interface TccRow {
  /** kTCCService name, e.g. kTCCServiceCamera. */
  service: string;
  /** Short name for people: Camera, Microphone, ScreenCapture. */
  serviceLabel: string;
  /** The client: a bundle id (us.zoom.xos) or a path. */
  client: string;
  isZoom: boolean;
  /** auth_value in words: allowed, denied, limited, unknown, other(N). */
  decision: string;
  denied: boolean;
  /** auth_reason in words, null before macOS 11. */
  why: string | null;
  /** last_modified, ISO 8601, or null. */
  when: string | null;
  /** Which TCC.db: "system" or "user: <name>". */
  database: string;
  /** Counts for the call: camera, microphone or screen recording. */
  callService: boolean;
}

/** A TCC.db that gave no rows, and why (no Full Disk Access, missing, unparseable). */
export interface TccProblem {
  database: string;
  path: string;
  status: TccDatabase['status'];
  reason: string;
}

const REASON_WORDS: Record<string, string> = {
  'user-consent': 'user answered the prompt',
  'user-set': 'user changed it in System Settings',
  'system-set': 'set by macOS',
  'service-policy': 'service policy',
  'mdm-policy': 'MDM profile (PPPC)',
  'override-policy': 'override policy',
  'missing-usage-string': 'app lacks a usage description',
  'prompt-timeout': 'prompt timed out',
  'preflight-unknown': 'preflight unknown',
  entitled: 'app entitlement',
  'app-type-policy': 'app type policy',
  error: 'error',
};

/** auth_reason name (user-consent, mdm-policy, ...) -> words an admin reads. */
export function reasonWords(name: string | null): string | null {
  if (name == null) return null;
  return REASON_WORDS[name] ? `${REASON_WORDS[name]} (${name})` : name;
}

const databaseLabel = (db: TccDatabase): string => (db.scope === 'system' ? 'system' : `user: ${db.user ?? 'unknown'}`);

const serviceRank = (service: string): number => {
  const i = (CALL_SERVICES as readonly string[]).indexOf(service);
  return i === -1 ? CALL_SERVICES.length : i;
};

/**
 * Rows of every readable TCC.db, Zoom's call permissions first, then other call permissions,
 * then the rest by service and client. Source: the tcc section (TCC.db `access` tables).
 */
export function tccRows(tcc: TccFacts, zoomBundleId = 'us.zoom.xos'): TccRow[] {
  const rows: TccRow[] = [];
  for (const db of tcc.databases) {
    for (const e of db.entries) {
      rows.push({
        service: e.service,
        serviceLabel: e.service.replace(/^kTCCService/, ''),
        client: e.client,
        isZoom: e.client === zoomBundleId || e.client.includes('zoom.us.app'),
        decision: e.authValueName,
        denied: e.authValue === 0,
        why: reasonWords(e.authReasonName),
        when: e.lastModified,
        database: databaseLabel(db),
        callService: serviceRank(e.service) < CALL_SERVICES.length,
      });
    }
  }
  const rank = (r: TccRow): number => (r.isZoom && r.callService ? 0 : r.callService ? 1 : r.isZoom ? 2 : 3);
  return rows.sort(
    (a, b) => rank(a) - rank(b) || serviceRank(a.service) - serviceRank(b.service)
      || a.service.localeCompare(b.service) || a.client.localeCompare(b.client),
  );
}

/** TCC.db files that could not be read, each with its reason. */
export function tccProblems(tcc: TccFacts): TccProblem[] {
  return tcc.databases
    .filter((db) => db.status !== 'ok')
    .map((db) => ({ database: databaseLabel(db), path: db.path, status: db.status, reason: db.reason ?? db.status }));
}

/**
 * What the TCC table says when it has no camera, microphone or screen recording row: with no
 * TCC.db read, the permissions are unknown (never "none"); with some unread, the rest may hold them.
 */
export function tccEmptyWords(tcc: TccFacts): string {
  const unread = tcc.databases.filter((db) => db.status !== 'ok').length;
  if (tcc.databases.length === 0 || unread === tcc.databases.length) {
    return 'Unknown: no TCC.db was read (see above), so Zoom\'s camera, microphone and screen recording permissions are not known (not denied, not allowed).';
  }
  if (unread > 0) {
    return `No camera, microphone or screen recording rows in the TCC.db that could be read; ${unread === 1 ? 'the unread one' : `the ${unread} unread ones`} may hold some (unknown).`;
  }
  return 'No camera, microphone or screen recording rows: no app has asked for them yet, and no profile set them.';
}
