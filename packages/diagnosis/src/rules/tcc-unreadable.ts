import type { Finding, Snapshot } from '@fleetmedic/protocol';
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

/**
 * `tcc.unreadable`: the TCC section is unavailable (key `tcc.unreadable:section`), or a TCC.db has
 * status unreadable or unparseable (key `tcc.unreadable:<db path>`, one finding per database, its
 * path and reason in the evidence). A missing per-user TCC.db is normal (nothing was ever asked)
 * and is not reported; `unsupported` (not a Mac) is not reported either.
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
    return tcc.data.databases
      .filter((db) => db.status === 'unreadable' || db.status === 'unparseable')
      .map((db) => makeFinding('tcc.unreadable', db.path, [{
        section: 'tcc',
        detail: `${db.scope === 'system' ? 'System' : `User ${db.user ?? '(unknown user)'}`} TCC.db ${db.path} is ${db.status}: ${db.reason ?? 'no reason given'}.`,
        value: { path: db.path, scope: db.scope, user: db.user, status: db.status, reason: db.reason ?? null },
      }], db.status === 'unparseable' ? UNPARSEABLE : GRANT_FDA));
  },
};
