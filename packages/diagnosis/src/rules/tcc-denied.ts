import type { Action, Finding, FindingId, Policy, Snapshot, TccDatabase, TccEntry, TccLog, TccLogDecision, TccResettableService } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/** auth_reason 6: a configuration profile (PPPC payload from MDM) set the value; tccutil cannot override it. */
const AUTH_REASON_MDM_POLICY = 6;

const isMdmPolicy = (e: Pick<TccEntry, 'authReason' | 'authReasonName'>): boolean => e.authReason === AUTH_REASON_MDM_POLICY || e.authReasonName === 'mdm-policy';

/** Who a TCC.db belongs to, for keys and sentences: "system" or "user:alice". */
const dbOwner = (db: TccDatabase): string => (db.scope === 'system' ? 'system' : `user:${db.user ?? db.path}`);

/**
 * Builds the rule for one TCC service: Zoom (policy.zoomBundleId, client_type bundle) with
 * auth_value 0 (denied) in any readable TCC.db. One finding per cause, however many TCC.db show
 * it: the user's decision (key `<id>:<bundle id>`, remedy `tcc.reset` of the tccutil service name,
 * which resets every scope at once) or a PPPC profile from the MDM (auth_reason mdm-policy, key
 * `<id>:mdm:<bundle id>`, no action: the profile must change). Each database is one piece of evidence.
 * Unreadable databases are not judged here: `tcc.unreadable` reports them. When no database of the
 * service's scope (`userScoped`: Camera, Microphone live in each user's TCC.db; else the system
 * one) was read — missing, unreadable, or out of reach as on macOS 27 — the latest decision tccd
 * wrote to the unified log answers instead (`tcc.log`, key `<id>:log:<bundle id>`, the log lines
 * as evidence); a `tccutil reset` the agent ran after that decision (`tcc.log.resets`) stands for
 * the deleted row: no finding, as after a reset read from TCC.db. With neither, a per-user service
 * cannot be judged: "no row" and "no event in the window" are not "allowed".
 */
export function tccDeniedRule(id: FindingId, service: string, tccutilService: TccResettableService, what: string, userScoped = false): Rule {
  const scope = userScoped ? 'user' : 'system';
  return {
    ...catalogHeader(id),
    sections: ['tcc'],
    evaluate(snapshot: Snapshot, policy: Policy): Finding[] {
      const tcc = sectionData(snapshot, 'tcc');
      if (!tcc) return [];
      if (tcc.databases.some((db) => db.scope === scope && db.status === 'ok')) {
        const denied = tcc.databases
          .filter((db) => db.status === 'ok')
          .flatMap((db) => db.entries
            .filter((e) => e.service === service && e.client === policy.zoomBundleId && e.clientType !== 'path' && e.authValue === 0)
            .map((e) => ({ db, e })));
        const byMdm = denied.filter((d) => isMdmPolicy(d.e));
        const byUser = denied.filter((d) => !isMdmPolicy(d.e));
        return [
          ...(byUser.length > 0 ? [dbFinding(id, byUser, tccutilService, what)] : []),
          ...(byMdm.length > 0 ? [dbFinding(id, byMdm, tccutilService, what)] : []),
        ];
      }
      const fromLog = logDecision(tcc.log, service, policy.zoomBundleId);
      // tccutil reset after the latest decision: not asked since, as a deleted TCC.db row (awaiting consent).
      if (fromLog.resetAfter) return [];
      if (fromLog.decision) {
        const d = fromLog.decision;
        if (d.authValue === 0) return [logDeniedFinding(id, tcc.log?.windowDays ?? 0, d, tccutilService, what)];
        if (d.authValue === 2 || d.authValue === 3) return [];
      }
      if (!userScoped) return [];
      const seen = tcc.databases.filter((db) => db.scope === 'user').map((db) => `${db.path}: ${db.status}${db.reason ? ` (${db.reason})` : ''}`);
      throw new CannotJudge('tcc', `no per-user TCC.db could be read, and ${service} decisions live there${seen.length ? `: ${seen.join('; ')}` : ''}; ${fromLog.why}`);
    },
  };
}

/** The latest log decision about `client` for `service`, or why the log does not answer. */
function logDecision(log: TccLog | undefined, service: string, client: string): { decision?: TccLogDecision; resetAfter?: boolean; why: string } {
  if (!log) return { why: 'the agent read no unified log (an agent older than its macOS 27 support)' };
  if (log.status !== 'ok') return { why: `the unified log could not be read: ${log.reason ?? 'no reason given'}` };
  if (!log.clients.includes(client)) return { why: `the unified log was read for ${log.clients.join(', ') || 'no app'}, not ${client}` };
  const decision = log.decisions.find((d) => d.service === service && d.client === client);
  // Both times are the Mac's local clock in log's compact layout, so they compare as text.
  const reset = (log.resets ?? []).filter((r) => (r.service === service || r.service === 'kTCCServiceAll') && r.client === client).some((r) => !decision || r.at > decision.observedAt);
  if (reset) return { resetAfter: true, why: `${service} for ${client} was reset after the latest decision in the log` };
  if (!decision) return { why: `tccd logged no ${service} decision about ${client} in the last ${log.windowDays} days` };
  return { decision, why: `the latest ${service} decision about ${client} in the unified log is ${decision.authValueName} (${decision.authReasonName}) at ${decision.observedAt}` };
}

/**
 * `{ type: 'tcc.reset', params: { service, bundleId } }`. The cast works around protocol's
 * `service` union being built from a mapped array, which types it as `never` (reported to the lead).
 */
const tccResetAction = (service: TccResettableService, bundleId: string): Action =>
  ({ type: 'tcc.reset', params: { service, bundleId } }) as Action;

/** What a denial needs, from a TCC.db row or a log decision. */
type Denial = Pick<TccEntry, 'service' | 'client' | 'authReason' | 'authReasonName'>;

/** One TCC.db row that denies, and its database. */
interface DbDenial { db: TccDatabase; e: TccEntry }

/** One evidence line per TCC.db that denies it, with the row in `value` (`{ path, scope, user, entry }`). */
const evidenceOf = (denials: DbDenial[]) => denials.map(({ db, e }) => {
  const reason = e.authReasonName ?? (e.authReason == null ? 'no auth_reason' : `auth_reason ${e.authReason}`);
  const when = e.lastModified ? ` on ${e.lastModified}` : '';
  return {
    section: 'tcc',
    detail: `${e.service} for ${e.client}: ${e.authValueName} (${reason})${when} in the ${dbOwner(db).replace(':', ' ')} TCC.db ${db.path}`,
    value: { path: db.path, scope: db.scope, user: db.user, entry: e },
  };
});

/** One cause (the user's decision, or an MDM profile: all rows given share it), every database that shows it as evidence. */
function dbFinding(id: FindingId, denials: DbDenial[], tccutilService: TccResettableService, what: string): Finding {
  const e = denials[0]!.e;
  return makeFinding(id, isMdmPolicy(e) ? `mdm:${e.client}` : e.client, evidenceOf(denials), denialRemedy(e, tccutilService, what));
}
/** A denial tccd logged: the detail names when it was seen (the log's own time) and quotes its result line. */
function logDeniedFinding(id: FindingId, windowDays: number, d: TccLogDecision, tccutilService: TccResettableService, what: string): Finding {
  const evidence = [{
    section: 'tcc',
    detail: `${d.service} for ${d.client}: ${d.authValueName} (${d.authReasonName}) seen in the unified log at ${d.observedAt}: ${d.lines[d.lines.length - 1] ?? ''}`,
    value: { source: 'unified-log', windowDays, decision: d },
  }];
  return makeFinding(id, `log:${d.client}`, evidence, denialRemedy(d, tccutilService, what));
}

function denialRemedy(e: Denial, tccutilService: TccResettableService, what: string): Finding['remedy'] {
  return isMdmPolicy(e)
    ? {
      summary: `A configuration profile from your MDM (PPPC payload, auth_reason mdm-policy) denies Zoom the ${what}. `
        + `A local reset cannot override it: change or remove the PPPC payload for ${e.client} (${e.service}) in your MDM.`,
    }
    : {
      summary: `Reset Zoom's ${what} permission (tccutil reset ${tccutilService} ${e.client}); macOS asks again at the next Zoom launch and the user clicks Allow.`,
      action: tccResetAction(tccutilService, e.client),
    };
}
