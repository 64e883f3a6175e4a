import { healthRank, SECTION_NAMES, type Health, type Policy, type SectionName, type Sections, type Snapshot } from '@fleetmedic/protocol';
import { diagnoseWithErrors, judgeHealth } from '@fleetmedic/diagnosis';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { contentHash } from './canonical-json.js';
import * as SQL from './full-path-sql.js';
import { deviceSummary } from './device-summary.js';
import { omittedSections, stateFingerprint, unreportedSections, type PreparedReport } from './prepare.js';
import { needsResets, planReconcile, type FindingRow, type ReconcileOutcome, type ResetDone, type TransitionRow } from './reconcile.js';

/**
 * What ingest did with one report. `duplicate`: the report was already stored (the device's newest,
 * or a Report row), nothing written. `stale`: collected before the newest stored report (an old
 * outbox entry, or the redelivery of one): lastSeenAt only. `resync`: a delta named sections by a
 * hash the server does not hold (`missing`), nothing written: the agent must send it whole.
 * `unchanged`: same state fingerprint as the stored diagnosis: device times, reportCount and
 * lastReportId only. `stored`: state, history, findings, and a Report row.
 */
export type IngestOutcome =
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'resync'; missing: SectionName[] }
  | { kind: 'unchanged' }
  | { kind: 'stored'; changedSections: SectionName[]; findings: ReconcileOutcome; health: Health; unknownSections: SectionName[]; notReportedSections: SectionName[] };

/** One report for the full ingest. */
export interface FullPathItem {
  deviceId: string;
  report: PreparedReport;
}

type Tx = Prisma.TransactionClient;
const q = <T>(tx: Tx, sql: string, ...params: unknown[]) => tx.$queryRawUnsafe<T[]>(sql, ...params);
const x = (tx: Tx, sql: string, ...params: unknown[]) => tx.$executeRawUnsafe(sql, ...params);
const json = (v: unknown) => JSON.stringify(v);

/** Rows of `rows` grouped by `key`. */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) (out.get(key(r)) ?? out.set(key(r), []).get(key(r))!).push(r);
  return out;
}

/**
 * The full ingest of a batch of reports of DIFFERENT devices in ONE transaction, in a fixed
 * number of statements whatever the batch size (full-path-sql.ts): lock the devices (id order, so
 * concurrent batches cannot deadlock), read their section hashes, report ids and findings, decide
 * each report (duplicate, resync, stale, unchanged, stored), diagnose the stored ones with the
 * policy, then write Report rows, changed SectionState + SectionChange rows, Finding rows and
 * FindingTransitions, and the devices' summaries — each as one multi-row statement.
 * A delta is completed from the stored SectionState; when a section it names by hash only is
 * not stored with that hash, the outcome is `resync` and nothing is written for it.
 * Throws when a device does not exist, or two reports share a device.
 */
export async function fullPathIngest(prisma: PrismaClient, items: FullPathItem[], policy: Policy, now: Date): Promise<IngestOutcome[]> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.deviceId))];
  if (ids.length !== items.length) throw new Error('fullPathIngest: one report per device per batch');
  const policyHash = contentHash(policy);
  return prisma.$transaction(async (tx) => {
    const stored = await readStored(tx, items, ids);
    const { outcomes, toStore, timesOnly } = decide(items, stored, policyHash);
    const diagnosed = await diagnose(tx, items, toStore, policy);
    const history = await readHistory(tx, diagnosed);
    const rows = planRows(diagnosed, stored, history, policyHash, now);
    rows.outcomes.forEach((outcome, k) => { outcomes[diagnosed[k]!.i] = outcome; });
    await writeRows(tx, { ...rows, timesOnly }, now.toISOString());
    return outcomes as IngestOutcome[];
  }, { timeout: 60_000, maxWait: 30_000 });
}

interface StoredDevice { id: string; stateHash: string | null; lastCollectedAt: Date | null; lastReportId: string | null }

/** What the batch's devices held before it: their rows (now locked), section hashes by device, and the report ids already stored. */
interface Stored {
  devices: Map<string, StoredDevice>;
  hashes: Map<string, Map<string, string>>;
  reportKeys: Set<string>;
}

async function readStored(tx: Tx, items: FullPathItem[], ids: string[]): Promise<Stored> {
  const devices = await q<StoredDevice>(tx, SQL.LOCK_DEVICES, json([...ids].sort()));
  const states = await q<{ deviceId: string; section: string; hash: string }>(tx, SQL.SECTION_HASHES, json(ids));
  const hashes = new Map<string, Map<string, string>>();
  for (const s of states) (hashes.get(s.deviceId) ?? hashes.set(s.deviceId, new Map()).get(s.deviceId)!).set(s.section, s.hash);
  const seen = await q<{ deviceId: string; id: string }>(tx, SQL.STORED_REPORTS, json(items.map((i) => ({ deviceId: i.deviceId, id: i.report.reportId }))));
  return { devices: new Map(devices.map((d) => [d.id, d])), hashes, reportKeys: new Set(seen.map((s) => `${s.deviceId}/${s.id}`)) };
}

/** A device row's times to move without a diagnosis: an unchanged report (its time and id) or a late one (nulls: lastSeenAt only). */
interface TimesRow { id: string; collectedAt: string | null; reportId: string | null }

/** Each report's outcome when it needs no diagnosis (null for those to store, listed in `toStore` by index). Pure. */
function decide(items: FullPathItem[], stored: Stored, policyHash: string): { outcomes: (IngestOutcome | null)[]; toStore: number[]; timesOnly: TimesRow[] } {
  const outcomes: (IngestOutcome | null)[] = items.map(() => null);
  const toStore: number[] = [];
  const timesOnly: TimesRow[] = [];
  items.forEach(({ deviceId, report }, i) => {
    const device = stored.devices.get(deviceId);
    if (!device) throw new Error(`device ${deviceId} does not exist (deleted while its socket was open?)`);
    if (device.lastReportId === report.reportId || stored.reportKeys.has(`${deviceId}/${report.reportId}`)) return void (outcomes[i] = { kind: 'duplicate' });
    const hashes = stored.hashes.get(deviceId) ?? new Map<string, string>();
    const missing = omittedSections(report).filter((n) => hashes.get(n) !== report.hashes[n]);
    if (missing.length > 0) return void (outcomes[i] = { kind: 'resync', missing });
    if (device.lastCollectedAt && device.lastCollectedAt > report.collectedAt) {
      timesOnly.push({ id: deviceId, collectedAt: null, reportId: null });
      return void (outcomes[i] = { kind: 'stale' });
    }
    const sameState = SECTION_NAMES.every((n) => hashes.get(n) === report.hashes[n]);
    if (sameState && device.stateHash === stateFingerprint(report, policyHash)) {
      timesOnly.push({ id: deviceId, collectedAt: report.collectedAt.toISOString(), reportId: report.reportId });
      return void (outcomes[i] = { kind: 'unchanged' });
    }
    toStore.push(i);
  });
  return { outcomes, toStore, timesOnly };
}

/** A report to store, whole (a delta completed from the stored sections) and diagnosed; `i` is its index in the batch. */
interface Diagnosed { i: number; deviceId: string; report: PreparedReport; snapshot: Snapshot; diagnosis: ReturnType<typeof diagnoseWithErrors> }

async function diagnose(tx: Tx, items: FullPathItem[], toStore: number[], policy: Policy): Promise<Diagnosed[]> {
  const need = toStore.flatMap((i) => omittedSections(items[i]!.report).map((section) => ({ deviceId: items[i]!.deviceId, section })));
  const bodies = new Map<string, unknown>();
  if (need.length > 0) {
    for (const r of await q<{ deviceId: string; section: string; body: unknown }>(tx, SQL.SECTION_BODIES, json(need))) bodies.set(`${r.deviceId}/${r.section}`, r.body);
  }
  return toStore.map((i) => {
    const { deviceId, report } = items[i]!;
    const sections: Record<string, unknown> = {};
    for (const name of SECTION_NAMES) {
      if (report.hashes[name] !== undefined) sections[name] = report.sections[name] ?? bodies.get(`${deviceId}/${name}`);
    }
    const snapshot: Snapshot = { schemaVersion: 1, collectedAt: report.collectedAt.toISOString(), agentVersion: report.agentVersion, host: report.host, sections: sections as Sections };
    return { i, deviceId, report, snapshot, diagnosis: diagnoseWithErrors(snapshot, policy) };
  });
}

/** The stored devices' findings, and their succeeded permission resets where a finding may await consent. */
async function readHistory(tx: Tx, diagnosed: Diagnosed[]): Promise<{ findingsOf: Map<string, FindingRow[]>; resetsOf: Map<string, ResetDone[]> }> {
  if (diagnosed.length === 0) return { findingsOf: new Map(), resetsOf: new Map() };
  const findingsOf = groupBy(await q<FindingRow>(tx, SQL.FINDINGS, json(diagnosed.map((d) => d.deviceId))), (f) => f.deviceId);
  const wantResets = diagnosed.filter((d) => needsResets(findingsOf.get(d.deviceId) ?? [], d.diagnosis)).map((d) => d.deviceId);
  const resets = wantResets.length === 0 ? [] : await q<{ deviceId: string } & ResetDone>(tx, SQL.TCC_RESETS, json(wantResets));
  return { findingsOf, resetsOf: groupBy(resets, (r) => r.deviceId) };
}

type SectionRow = { deviceId: string; section: string; status: string; hash: string; body: unknown; reportId: string };

/** The rows the stored reports write, and each one's outcome (in `diagnosed` order). Pure. */
interface PlannedRows {
  outcomes: IngestOutcome[];
  reports: { id: string; deviceId: string; collectedAt: string }[];
  sections: SectionRow[];
  dropped: { deviceId: string; section: string }[];
  findings: FindingRow[];
  transitions: TransitionRow[];
  devices: Record<string, unknown>[];
}

function planRows(diagnosed: Diagnosed[], stored: Stored, history: { findingsOf: Map<string, FindingRow[]>; resetsOf: Map<string, ResetDone[]> }, policyHash: string, now: Date): PlannedRows {
  const rows: PlannedRows = { outcomes: [], reports: [], sections: [], dropped: [], findings: [], transitions: [], devices: [] };
  for (const d of diagnosed) {
    const hashes = stored.hashes.get(d.deviceId) ?? new Map<string, string>();
    rows.reports.push({ id: d.report.reportId, deviceId: d.deviceId, collectedAt: d.report.collectedAt.toISOString() });
    const changedSections = SECTION_NAMES.filter((n) => d.report.hashes[n] !== undefined && hashes.get(n) !== d.report.hashes[n]);
    // A section stored from a newer agent that this report lacks (agent downgraded): its state is no longer current.
    for (const section of unreportedSections(d.report)) if (hashes.has(section)) rows.dropped.push({ deviceId: d.deviceId, section });
    for (const name of changedSections) {
      const section = d.snapshot.sections[name]!;
      rows.sections.push({ deviceId: d.deviceId, section: name, status: section.status, hash: d.report.hashes[name]!, body: section, reportId: d.report.reportId });
    }
    const plan = planReconcile({
      deviceId: d.deviceId, reportId: d.report.reportId, snapshot: d.snapshot, diagnosis: d.diagnosis,
      stored: history.findingsOf.get(d.deviceId) ?? [], resets: history.resetsOf.get(d.deviceId) ?? [], now,
    });
    rows.findings.push(...plan.upserts);
    rows.transitions.push(...plan.transitions);
    // A section this agent version does not report is unchecked, as one it could not read.
    const health = judgeHealth({ openSeverities: plan.outcome.openSeverities, unknownSections: [...d.diagnosis.unknown, ...d.diagnosis.notReported] });
    const summary = deviceSummary(d.snapshot);
    rows.devices.push({
      ...summary,
      id: d.deviceId,
      reportId: d.report.reportId,
      hasOs: summary.osVersion !== undefined,
      hasZoom: summary.zoomVersion !== undefined,
      collectedAt: d.report.collectedAt.toISOString(),
      health,
      healthRank: healthRank(health),
      problemSince: plan.outcome.problemSince?.toISOString() ?? null,
      openFindings: plan.outcome.open,
      unknownSections: d.diagnosis.unknown,
      notReportedSections: d.diagnosis.notReported,
      stateHash: stateFingerprint(d.report, policyHash),
    });
    rows.outcomes.push({ kind: 'stored', changedSections, findings: plan.outcome, health, unknownSections: d.diagnosis.unknown, notReportedSections: d.diagnosis.notReported });
  }
  return rows;
}

/** Writes the planned rows, one statement per kind that has any, at server time `at` (ISO 8601). */
async function writeRows(tx: Tx, rows: Omit<PlannedRows, 'outcomes'> & { timesOnly: TimesRow[] }, at: string): Promise<void> {
  if (rows.reports.length > 0) await x(tx, SQL.INSERT_REPORTS, json(rows.reports), at);
  if (rows.sections.length > 0) {
    const payload = json(rows.sections);
    await x(tx, SQL.UPSERT_SECTION_STATES, payload, at);
    await x(tx, SQL.INSERT_SECTION_CHANGES, payload, at);
  }
  if (rows.dropped.length > 0) await x(tx, SQL.DELETE_SECTION_STATES, json(rows.dropped));
  if (rows.findings.length > 0) await x(tx, SQL.UPSERT_FINDINGS, json(rows.findings));
  if (rows.transitions.length > 0) await x(tx, SQL.INSERT_TRANSITIONS, json(rows.transitions));
  if (rows.devices.length > 0) {
    const payload = json(rows.devices);
    await x(tx, SQL.INSERT_HOSTNAME_CHANGES, payload, at);
    await x(tx, SQL.UPDATE_DEVICES, payload, at);
  }
  if (rows.timesOnly.length > 0) await x(tx, SQL.UPDATE_TIMES, json(rows.timesOnly), at);
}
