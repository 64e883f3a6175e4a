import type { Finding, SectionName, Snapshot, TccDatabase } from '@fleetmedic/protocol';
import { RULES, type Diagnosis } from '@fleetmedic/diagnosis';
import type { Finding as FindingRow, Prisma } from '../generated/prisma/client.js';

/** Finding states stored in Finding.state. */
export type FindingState = 'open' | 'awaiting-consent' | 'resolved';

/** Counts after reconciling one report's diagnosis with the stored findings. */
export interface ReconcileOutcome {
  opened: number;
  resolved: number;
  awaitingConsent: number;
  /** findings in state open after this report, including those kept because their section could not be judged (Device.openFindings) */
  open: number;
}

const RULE_SECTIONS = new Map<string, readonly SectionName[]>(RULES.map((r) => [r.id, r.sections]));

/** The TCC.db row a tcc.* finding is about, from its evidence (`{ path, entry: { service, client } }`). */
interface TccSubject {
  path: string;
  service: string;
  client: string;
}

function tccSubject(row: FindingRow): TccSubject | null {
  if (!row.ruleId.startsWith('tcc.')) return null;
  const evidence = Array.isArray(row.evidence) ? row.evidence : [];
  for (const e of evidence) {
    const value = (e as { value?: { path?: unknown; entry?: { service?: unknown; client?: unknown } } } | null)?.value;
    if (typeof value?.path === 'string' && typeof value.entry?.service === 'string' && typeof value.entry.client === 'string') {
      return { path: value.path, service: value.entry.service, client: value.entry.client };
    }
  }
  return null;
}

/** The readable TCC.db at `path` in this snapshot, or null when it was not read (then nothing can be judged). */
function readableTccDb(snapshot: Snapshot, path: string): TccDatabase | null {
  return snapshot.sections.tcc.data?.databases.find((db) => db.path === path && db.status === 'ok') ?? null;
}

/** The `tcc.reset` of a finding's remedy: service (tccutil name) and bundle id. */
function resetOf(row: FindingRow): { service: string; bundleId: string } | null {
  const action = (row.remedy as { action?: { type?: string; params?: { service?: string; bundleId?: string } } } | null)?.action;
  if (action?.type !== 'tcc.reset' || !action.params?.service || !action.params.bundleId) return null;
  return { service: action.params.service, bundleId: action.params.bundleId };
}

/**
 * Reconciles the stored findings of a device with one report's diagnosis, writing a
 * FindingTransition for every state change:
 * - a finding not stored (or stored resolved / awaiting-consent) -> open;
 * - still present -> lastSeenAt, evidence and remedy refreshed;
 * - gone -> resolved with resolvedAt, except:
 *   - when a section its rule judges is unknown in this report (or, for tcc.*, its TCC.db was not
 *     read): nothing can be concluded, the finding stays as it is;
 *   - a tcc.* finding whose `access` row is gone and whose `tcc.reset` succeeded since the finding
 *     was last seen -> awaiting-consent: the row no longer exists, so Zoom will prompt the user;
 *     it is resolved once the row comes back allowed (and opens again if it comes back denied).
 */
export async function reconcileFindings(
  tx: Prisma.TransactionClient,
  input: { deviceId: string; reportId: string; snapshot: Snapshot; diagnosis: Diagnosis; now: Date },
): Promise<ReconcileOutcome> {
  const { deviceId, reportId, snapshot, diagnosis, now } = input;
  const stored = await tx.finding.findMany({ where: { deviceId } });
  const byKey = new Map(stored.map((f) => [f.key, f]));
  const out: ReconcileOutcome = { opened: 0, resolved: 0, awaitingConsent: 0, open: 0 };
  const transition = (row: { id: string; ruleId: string; key: string }, fromState: string | null, toState: FindingState) =>
    tx.findingTransition.create({ data: { deviceId, findingId: row.id, ruleId: row.ruleId, key: row.key, fromState, toState, at: now, reportId } });

  const present = new Set<string>();
  for (const f of diagnosis.findings) {
    present.add(f.key);
    out.open += 1;
    const row = byKey.get(f.key);
    const fields = findingFields(f);
    if (!row) {
      const created = await tx.finding.create({ data: { deviceId, ...fields, state: 'open', firstSeenAt: now, lastSeenAt: now } });
      await transition(created, null, 'open');
      out.opened += 1;
    } else if (row.state === 'open') {
      await tx.finding.update({ where: { id: row.id }, data: { ...fields, lastSeenAt: now } });
    } else {
      await tx.finding.update({ where: { id: row.id }, data: { ...fields, state: 'open', firstSeenAt: now, lastSeenAt: now, resolvedAt: null } });
      await transition(row, row.state, 'open');
      out.opened += 1;
    }
  }

  const unknown = new Set<string>(diagnosis.unknown);
  const gone = stored.filter((f) => !present.has(f.key) && f.state !== 'resolved');
  const resets = gone.some((f) => f.state === 'open' && resetOf(f))
    ? await tx.command.findMany({ where: { deviceId, type: 'tcc.reset', status: 'succeeded' }, select: { params: true, finishedAt: true } })
    : [];

  for (const row of gone) {
    const cannotJudge = (RULE_SECTIONS.get(row.ruleId) ?? []).some((s) => unknown.has(s));
    const subject = tccSubject(row);
    const db = subject ? readableTccDb(snapshot, subject.path) : null;
    if (cannotJudge || (subject && !db)) {
      if (row.state === 'open') out.open += 1; // unchanged, still counts
      continue;
    }
    const entryNow = subject && db ? db.entries.find((e) => e.service === subject.service && e.client === subject.client) : undefined;

    let next: FindingState = 'resolved';
    if (row.state === 'awaiting-consent') {
      if (!entryNow) continue; // still no row: the user has not been asked yet
    } else if (subject && !entryNow) {
      const reset = resetOf(row);
      const resetSince = reset && resets.some((c) => {
        const p = c.params as { service?: string; bundleId?: string };
        return c.finishedAt != null && c.finishedAt >= row.lastSeenAt && p.bundleId === reset.bundleId && (p.service === reset.service || p.service === 'All');
      });
      if (resetSince) next = 'awaiting-consent';
    }
    await tx.finding.update({
      where: { id: row.id },
      data: next === 'resolved' ? { state: 'resolved', resolvedAt: now } : { state: next },
    });
    await transition(row, row.state, next);
    if (next === 'resolved') out.resolved += 1;
    else out.awaitingConsent += 1;
  }
  return out;
}

function findingFields(f: Finding) {
  return {
    ruleId: f.id,
    key: f.key,
    severity: f.severity,
    title: f.title,
    evidence: f.evidence as unknown as Prisma.InputJsonValue,
    remedy: f.remedy as unknown as Prisma.InputJsonValue,
  };
}
