import type { Action, Finding, FindingId, Policy, Snapshot, TccDatabase, TccEntry, TccResettableService } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/** auth_reason 6: a configuration profile (PPPC payload from MDM) set the value; tccutil cannot override it. */
const AUTH_REASON_MDM_POLICY = 6;

const isMdmPolicy = (e: TccEntry): boolean => e.authReason === AUTH_REASON_MDM_POLICY || e.authReasonName === 'mdm-policy';

/** Who a TCC.db belongs to, for keys and sentences: "system" or "user:alice". */
const dbOwner = (db: TccDatabase): string => (db.scope === 'system' ? 'system' : `user:${db.user ?? db.path}`);

/**
 * Builds the rule for one TCC service: Zoom (policy.zoomBundleId, client_type bundle) with
 * auth_value 0 (denied) in any readable TCC.db. One finding per cause, however many TCC.db show
 * it: the user's decision (key `<id>:<bundle id>`, remedy `tcc.reset` of the tccutil service name,
 * which resets every scope at once) or a PPPC profile from the MDM (auth_reason mdm-policy, key
 * `<id>:mdm:<bundle id>`, no action: the profile must change). Each database is one piece of evidence.
 * Unreadable databases are not judged here: `tcc.unreadable` reports them. For a per-user service
 * (`userScoped`: Camera, Microphone live in each user's TCC.db) with no user database read at all
 * (missing, unreadable, or moved as on macOS 27), the rule cannot judge: "no row" is not "allowed".
 */
export function tccDeniedRule(id: FindingId, service: string, tccutilService: TccResettableService, what: string, userScoped = false): Rule {
  return {
    ...catalogHeader(id),
    sections: ['tcc'],
    evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
      const tcc = sectionData(snapshot, 'tcc');
      if (!tcc) return [];
      if (userScoped && !tcc.databases.some((db) => db.scope === 'user' && db.status === 'ok')) {
        const seen = tcc.databases.filter((db) => db.scope === 'user').map((db) => `${db.path}: ${db.status}${db.reason ? ` (${db.reason})` : ''}`);
        throw new CannotJudge('tcc', `no per-user TCC.db could be read, and ${service} decisions live there${seen.length ? `: ${seen.join('; ')}` : ''}`);
      }
      const denied = tcc.databases
        .filter((db) => db.status === 'ok')
        .flatMap((db) => db.entries
          .filter((e) => e.service === service && e.client === policy.zoomBundleId && e.clientType !== 'path' && e.authValue === 0)
          .map((e) => ({ db, e })));
      const byMdm = denied.filter((d) => isMdmPolicy(d.e));
      const byUser = denied.filter((d) => !isMdmPolicy(d.e));
      return [
        ...(byUser.length > 0 ? [userFinding(id, byUser, tccutilService, what)] : []),
        ...(byMdm.length > 0 ? [mdmFinding(id, byMdm, what)] : []),
      ];
    },
  };
}

/**
 * `{ type: 'tcc.reset', params: { service, bundleId } }`. The cast works around protocol's
 * `service` union being built from a mapped array, which types it as `never` (reported to the lead).
 */
const tccResetAction = (service: TccResettableService, bundleId: string): Action =>
  ({ type: 'tcc.reset', params: { service, bundleId } }) as Action;

interface Denial { db: TccDatabase; e: TccEntry }

/** One evidence line per TCC.db that denies it, with the row in `value` (`{ path, scope, user, entry }`). */
const evidenceOf = (denials: Denial[]) => denials.map(({ db, e }) => {
  const reason = e.authReasonName ?? (e.authReason == null ? 'no auth_reason' : `auth_reason ${e.authReason}`);
  const when = e.lastModified ? ` on ${e.lastModified}` : '';
  return {
    section: 'tcc',
    detail: `${e.service} for ${e.client}: ${e.authValueName} (${reason})${when} in the ${dbOwner(db).replace(':', ' ')} TCC.db ${db.path}`,
    value: { path: db.path, scope: db.scope, user: db.user, entry: e },
  };
});

function userFinding(id: FindingId, denials: Denial[], tccutilService: TccResettableService, what: string): Finding {
  const client = denials[0]!.e.client;
  return makeFinding(id, client, evidenceOf(denials), {
    summary: `Reset Zoom's ${what} permission (tccutil reset ${tccutilService} ${client}); macOS asks again at the next Zoom launch and the user clicks Allow.`,
    action: tccResetAction(tccutilService, client),
  });
}

function mdmFinding(id: FindingId, denials: Denial[], what: string): Finding {
  const { client, service } = denials[0]!.e;
  return makeFinding(id, `mdm:${client}`, evidenceOf(denials), {
    summary: `A configuration profile from your MDM (PPPC payload, auth_reason mdm-policy) denies Zoom the ${what}. `
      + `A local reset cannot override it: change or remove the PPPC payload for ${client} (${service}) in your MDM.`,
  });
}
