import type { Finding, Snapshot, TccDatabase } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, type Rule } from '../rule.js';

const GRANT_FDA = {
  summary: 'Grant the FleetMedic agent Full Disk Access (a PPPC profile allowing SystemPolicyAllFiles for the agent, '
    + 'or System Settings > Privacy & Security > Full Disk Access), then collect again.',
};
/** Full Disk Access does not help a database that was read but not understood. */
const UNPARSEABLE = {
  summary: 'The agent read this TCC.db but could not understand its `access` table; check the reason, '
    + 'update the FleetMedic agent, and collect again.',
};

/** The evidence line of one TCC.db that was not read or not understood. */
const dbEvidence = (db: TccDatabase) => ({
  section: 'tcc',
  detail: `${db.scope === 'system' ? 'System' : `User ${db.user ?? '(unknown user)'}`} TCC.db ${db.path} is ${db.status}: ${db.reason ?? 'no reason given'}.`,
  value: { path: db.path, scope: db.scope, user: db.user, status: db.status, reason: db.reason ?? null },
});

/**
 * `tcc.unreadable`, one finding per cause: the TCC section is unavailable (key
 * `tcc.unreadable:section`); TCC.db files the agent could not read, nearly always one missing Full
 * Disk Access grant (key `tcc.unreadable:full-disk-access`, one piece of evidence per database); TCC.db
 * files read but not understood (key `tcc.unreadable:unparseable`, remedy: update the agent). A
 * missing per-user TCC.db is normal (nothing was ever asked) and is not reported; `unsupported`
 * (not a Mac) is not reported either.
 */
export const tccUnreadable: Rule = {
  ...catalogHeader('tcc.unreadable'),
  sections: ['tcc'],
  evaluate(snapshot: Snapshot): Finding[] {
    const tcc = snapshot.sections.tcc;
    if (tcc.status === 'unsupported') return [];
    if (tcc.status === 'unavailable' || !tcc.data) {
      const why = tcc.reason ?? 'no reason given';
      return [makeFinding('tcc.unreadable', 'section', [{
        section: 'tcc',
        detail: `The TCC databases could not be read: ${why}.`,
        value: { status: tcc.status, reason: tcc.reason ?? null, sources: tcc.sources },
      }], GRANT_FDA)];
    }
    const unreadable = tcc.data.databases.filter((db) => db.status === 'unreadable');
    const unparseable = tcc.data.databases.filter((db) => db.status === 'unparseable');
    return [
      ...(unreadable.length > 0 ? [makeFinding('tcc.unreadable', 'full-disk-access', unreadable.map(dbEvidence), GRANT_FDA)] : []),
      ...(unparseable.length > 0 ? [makeFinding('tcc.unreadable', 'unparseable', unparseable.map(dbEvidence), UNPARSEABLE)] : []),
    ];
  },
};
