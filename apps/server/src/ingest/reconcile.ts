import { randomUUID } from 'node:crypto';
import type { Finding, SectionName, Snapshot } from '@fleetmedic/protocol';
import { RULES, type Diagnosis } from '@fleetmedic/diagnosis';

/** Finding states stored in Finding.state. */
export type FindingState = 'open' | 'awaiting-consent' | 'resolved';

/** Counts after reconciling one report's diagnosis with the stored findings. */
export interface ReconcileOutcome {
  opened: number;
  resolved: number;
  awaitingConsent: number;
  /** findings in state open after this report, including those kept because their section could not be judged (Device.openFindings) */
  open: number;
  /** the severities of those open findings (judgeHealth) */
  openSeverities: string[];
  /** firstSeenAt of the oldest of them, null when none is open (Device.problemSince) */
  problemSince: Date | null;
}

/** A Finding row as stored (the columns reconcile reads and writes). */
export interface FindingRow {
  id: string;
  deviceId: string;
  ruleId: string;
  key: string;
  severity: string;
  title: string;
  evidence: unknown;
  remedy: unknown;
  state: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

/** A FindingTransition row to insert. */
export interface TransitionRow {
  deviceId: string;
  findingId: string;
  ruleId: string;
  key: string;
  fromState: string | null;
  toState: FindingState;
  at: Date;
  reportId: string;
}

/** A succeeded tcc.reset of the device: its params and when it finished. */
export interface ResetDone {
  params: unknown;
  finishedAt: Date | null;
}

/** What reconciling one report changes: whole Finding rows to upsert, transitions to insert, counts. */
export interface ReconcilePlan {
  upserts: FindingRow[];
  transitions: TransitionRow[];
  outcome: ReconcileOutcome;
}


const RULE_SECTIONS = new Map<string, readonly SectionName[]>(RULES.map((r) => [r.id, r.sections]));

/**
 * What a tcc.* finding is about (one finding per cause can stand on several): a TCC.db row (evidence `{ path, entry: { service, client } }`) or,
 * on macOS 27, a decision tccd logged (evidence `{ source: 'unified-log', decision: { service, client } }`).
 */
type TccSubject = { service: string; client: string } & ({ kind: 'db'; path: string } | { kind: 'log' });

function tccSubjects(row: FindingRow): TccSubject[] {
  if (!row.ruleId.startsWith('tcc.')) return [];
  const evidence = Array.isArray(row.evidence) ? row.evidence : [];
  return evidence.flatMap((e): TccSubject[] => {
    const value = (e as { value?: { path?: unknown; source?: unknown; entry?: { service?: unknown; client?: unknown }; decision?: { service?: unknown; client?: unknown } } } | null)?.value;
    if (typeof value?.path === 'string' && typeof value.entry?.service === 'string' && typeof value.entry.client === 'string') {
      return [{ kind: 'db', path: value.path, service: value.entry.service, client: value.entry.client }];
    }
    if (value?.source === 'unified-log' && typeof value.decision?.service === 'string' && typeof value.decision.client === 'string') {
      return [{ kind: 'log', service: value.decision.service, client: value.decision.client }];
    }
    return [];
  });
}

/**
 * The subject's state in this snapshot: `null` when its source was not read (nothing can be judged),
 * else whether a row / decision exists now. A logged decision that a tcc.reset the agent ran since
 * supersedes (`log.resets`) counts as gone, like the deleted row.
 */
function tccStateNow(snapshot: Snapshot, subject: TccSubject): { exists: boolean } | null {
  const tcc = snapshot.sections.tcc.data;
  if (subject.kind === 'db') {
    const db = tcc?.databases.find((d) => d.path === subject.path && d.status === 'ok');
    return db ? { exists: db.entries.some((e) => e.service === subject.service && e.client === subject.client) } : null;
  }
  if (tcc?.log?.status !== 'ok') return null;
  const decision = tcc.log.decisions.find((d) => d.service === subject.service && d.client === subject.client);
  const reset = (tcc.log.resets ?? []).some((r) => (r.service === subject.service || r.service === 'kTCCServiceAll') && r.client === subject.client && (!decision || r.at > decision.observedAt));
  return { exists: decision !== undefined && !reset };
}

/** The `tcc.reset` of a finding's remedy: service (tccutil name) and bundle id. */
function resetOf(row: FindingRow): { service: string; bundleId: string } | null {
  const action = (row.remedy as { action?: { type?: string; params?: { service?: string; bundleId?: string } } } | null)?.action;
  if (action?.type !== 'tcc.reset' || !action.params?.service || !action.params.bundleId) return null;
  return { service: action.params.service, bundleId: action.params.bundleId };
}

/**
 * True when planning needs the device's succeeded tcc.reset commands: an open finding with a
 * tcc.reset remedy is gone from this diagnosis.
 */
export function needsResets(stored: FindingRow[], diagnosis: Diagnosis): boolean {
  const present = new Set(diagnosis.findings.map((f) => f.key));
  return stored.some((f) => !present.has(f.key) && f.state === 'open' && resetOf(f) !== null);
}

/**
 * Plans the reconciliation of a device's stored findings with one report's diagnosis (pure: the
 * caller writes the plan), with a FindingTransition for every state change:
 * - a finding not stored (or stored resolved / awaiting-consent) -> open;
 * - still present -> lastSeenAt, evidence and remedy refreshed;
 * - gone -> resolved with resolvedAt, except:
 *   - when its rule could not judge in this report (its section unknown or not reported, or the
 *     rule's own CannotJudge), or, for tcc.*, its TCC.db or unified log was not read: nothing can be
 *     concluded, the finding stays as it is;
 *   - a tcc.* finding whose `access` row is gone (on macOS 27: whose logged decision a tcc.reset
 *     the agent ran since supersedes) and whose `tcc.reset` succeeded since the finding was last
 *     seen -> awaiting-consent: Zoom will prompt the user; it is resolved once the row (or a newer
 *     logged decision) comes back allowed, and opens again if it comes back denied.
 * `resets`: the device's succeeded tcc.reset commands (needed only when needsResets says so).
 */
export function planReconcile(input: {
  deviceId: string; reportId: string; snapshot: Snapshot; diagnosis: Diagnosis; stored: FindingRow[]; resets: ResetDone[]; now: Date;
}): ReconcilePlan {
  const { deviceId, reportId, snapshot, diagnosis, stored, resets, now } = input;
  const byKey = new Map(stored.map((f) => [f.key, f]));
  const outcome: ReconcileOutcome = { opened: 0, resolved: 0, awaitingConsent: 0, open: 0, openSeverities: [], problemSince: null };
  const stillOpen = (severity: string, since: Date) => {
    outcome.open += 1;
    outcome.openSeverities.push(severity);
    if (!outcome.problemSince || since < outcome.problemSince) outcome.problemSince = since;
  };
  const upserts: FindingRow[] = [];
  const transitions: TransitionRow[] = [];
  const transition = (row: FindingRow, fromState: string | null, toState: FindingState) =>
    transitions.push({ deviceId, findingId: row.id, ruleId: row.ruleId, key: row.key, fromState, toState, at: now, reportId });

  const present = new Set<string>();
  for (const f of diagnosis.findings) {
    present.add(f.key);
    const row = byKey.get(f.key);
    const fields = findingFields(f);
    stillOpen(f.severity, row?.state === 'open' ? row.firstSeenAt : now);
    if (!row) {
      const created: FindingRow = { id: randomUUID(), deviceId, ...fields, state: 'open', firstSeenAt: now, lastSeenAt: now, resolvedAt: null };
      upserts.push(created);
      transition(created, null, 'open');
      outcome.opened += 1;
    } else if (row.state === 'open') {
      upserts.push({ ...row, ...fields, lastSeenAt: now });
    } else {
      upserts.push({ ...row, ...fields, state: 'open', firstSeenAt: now, lastSeenAt: now, resolvedAt: null });
      transition(row, row.state, 'open');
      outcome.opened += 1;
    }
  }

  // Per rule (unknownReasons names the rule, for an unavailable section too): one rule that cannot
  // judge (the microphone with no logged decision) leaves the others of its section judged.
  const unjudged = new Set<string>(diagnosis.unknownReasons.map((u) => u.rule));
  const notReported = new Set<string>(diagnosis.notReported);
  for (const row of stored) {
    if (present.has(row.key) || row.state === 'resolved') continue;
    const cannotJudge = unjudged.has(row.ruleId) || (RULE_SECTIONS.get(row.ruleId) ?? []).some((n) => notReported.has(n));
    const subjects = tccSubjects(row);
    const states = subjects.map((subject) => tccStateNow(snapshot, subject));
    if (cannotJudge || states.some((state) => !state)) {
      if (row.state === 'open') stillOpen(row.severity, row.firstSeenAt); // unchanged, still counts
      continue;
    }
    // The row (or logged decision) of any of its sources back (allowed: resolved; denied: the finding is present again).
    const entryNow = states.some((state) => state?.exists === true);

    let next: FindingState = 'resolved';
    if (row.state === 'awaiting-consent') {
      if (!entryNow) continue; // still no row: the user has not been asked yet
    } else if (subjects.length > 0 && !entryNow) {
      const reset = resetOf(row);
      const resetSince = reset && resets.some((c) => {
        const p = c.params as { service?: string; bundleId?: string };
        return c.finishedAt != null && c.finishedAt >= row.lastSeenAt && p.bundleId === reset.bundleId && (p.service === reset.service || p.service === 'All');
      });
      if (resetSince) next = 'awaiting-consent';
    }
    upserts.push(next === 'resolved' ? { ...row, state: 'resolved', resolvedAt: now } : { ...row, state: next });
    transition(row, row.state, next);
    if (next === 'resolved') outcome.resolved += 1;
    else outcome.awaitingConsent += 1;
  }
  return { upserts, transitions, outcome };
}

function findingFields(f: Finding) {
  return { ruleId: f.id, key: f.key, severity: f.severity, title: f.title, evidence: f.evidence as unknown, remedy: f.remedy as unknown };
}
