import { healthRank, SECTION_NAMES, type Health, type Policy, type SectionName, type Sections, type Snapshot } from '@fleetmedic/protocol';
import { diagnoseWithErrors, judgeHealth } from '@fleetmedic/diagnosis';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { contentHash } from './canonical-json.js';
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

/**
 * The full ingest of a batch of reports of DIFFERENT devices in ONE transaction, in a fixed
 * number of statements whatever the batch size: lock the devices (id order, so concurrent
 * batches cannot deadlock), read their section hashes, report ids and findings, decide each
 * report (duplicate, resync, stale, unchanged, stored), diagnose the stored ones with the
 * policy, then write Report rows, changed SectionState + SectionChange rows, Finding rows and
 * FindingTransitions, and the devices' summaries — each as one multi-row statement.
 * A delta is completed from the stored SectionState; when a section it names by hash only is
 * not stored with that hash, the outcome is `resync` and nothing is written for it.
 */
export async function fullPathIngest(prisma: PrismaClient, items: FullPathItem[], policy: Policy, now: Date): Promise<IngestOutcome[]> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.deviceId))];
  if (ids.length !== items.length) throw new Error('fullPathIngest: one report per device per batch');
  const policyHash = contentHash(policy);
  return prisma.$transaction(async (tx) => {
    const devices = await q<{ id: string; stateHash: string | null; lastCollectedAt: Date | null; lastReportId: string | null }>(tx,
      `SELECT id::text AS id, "stateHash", "lastCollectedAt", "lastReportId" FROM "Device"
       WHERE id IN (SELECT value::uuid FROM json_array_elements_text($1::json)) ORDER BY id FOR NO KEY UPDATE`, json(ids.sort()));
    const deviceById = new Map(devices.map((d) => [d.id, d]));
    const states = await q<{ deviceId: string; section: string; hash: string }>(tx,
      `SELECT "deviceId"::text AS "deviceId", section, hash FROM "SectionState"
       WHERE "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`, json(ids));
    const stateOf = new Map<string, Map<string, string>>();
    for (const s of states) (stateOf.get(s.deviceId) ?? stateOf.set(s.deviceId, new Map()).get(s.deviceId)!).set(s.section, s.hash);
    const seen = await q<{ deviceId: string; id: string }>(tx,
      `SELECT r."deviceId"::text AS "deviceId", r.id FROM "Report" r
       JOIN json_to_recordset($1::json) AS t("deviceId" uuid, id text) ON r."deviceId" = t."deviceId" AND r.id = t.id`,
      json(items.map((i) => ({ deviceId: i.deviceId, id: i.report.reportId }))));
    const seenKeys = new Set(seen.map((s) => `${s.deviceId}/${s.id}`));

    // Decide each report.
    const outcomes: (IngestOutcome | null)[] = items.map(() => null);
    const toStore: number[] = [];
    const reportRows: { id: string; deviceId: string; collectedAt: string }[] = [];
    const timesOnly: { id: string; collectedAt: string | null; reportId: string | null }[] = [];
    items.forEach((item, i) => {
      const { deviceId, report } = item;
      const device = deviceById.get(deviceId);
      if (!device) throw new Error(`device ${deviceId} does not exist (deleted while its socket was open?)`);
      if (device.lastReportId === report.reportId || seenKeys.has(`${deviceId}/${report.reportId}`)) return void (outcomes[i] = { kind: 'duplicate' });
      const stored = stateOf.get(deviceId) ?? new Map<string, string>();
      const missing = omittedSections(report).filter((n) => stored.get(n) !== report.hashes[n]);
      if (missing.length > 0) return void (outcomes[i] = { kind: 'resync', missing });
      if (device.lastCollectedAt && device.lastCollectedAt > report.collectedAt) {
        timesOnly.push({ id: deviceId, collectedAt: null, reportId: null });
        return void (outcomes[i] = { kind: 'stale' });
      }
      const sameState = SECTION_NAMES.every((n) => stored.get(n) === report.hashes[n]);
      if (sameState && device.stateHash === stateFingerprint(report, policyHash)) {
        timesOnly.push({ id: deviceId, collectedAt: report.collectedAt.toISOString(), reportId: report.reportId });
        return void (outcomes[i] = { kind: 'unchanged' });
      }
      reportRows.push({ id: report.reportId, deviceId, collectedAt: report.collectedAt.toISOString() });
      toStore.push(i);
    });

    // Sections the stored reports do not carry, for their diagnosis.
    const need = toStore.flatMap((i) => omittedSections(items[i]!.report).map((section) => ({ deviceId: items[i]!.deviceId, section })));
    const bodies = new Map<string, unknown>();
    if (need.length > 0) {
      const rows = await q<{ deviceId: string; section: string; body: unknown }>(tx,
        `SELECT s."deviceId"::text AS "deviceId", s.section, s.body FROM "SectionState" s
         JOIN json_to_recordset($1::json) AS t("deviceId" uuid, section text) ON s."deviceId" = t."deviceId" AND s.section = t.section`, json(need));
      for (const r of rows) bodies.set(`${r.deviceId}/${r.section}`, r.body);
    }
    const storeIds = toStore.map((i) => items[i]!.deviceId);
    const findings = storeIds.length === 0 ? [] : await q<FindingRow>(tx,
      `SELECT id::text AS id, "deviceId"::text AS "deviceId", "ruleId", key, severity, title, evidence, remedy, state, "firstSeenAt", "lastSeenAt", "resolvedAt"
       FROM "Finding" WHERE "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`, json(storeIds));
    const findingsOf = new Map<string, FindingRow[]>();
    for (const f of findings) (findingsOf.get(f.deviceId) ?? findingsOf.set(f.deviceId, []).get(f.deviceId)!).push(f);

    const diagnosed = toStore.map((i) => {
      const { deviceId, report } = items[i]!;
      const sections: Record<string, unknown> = {};
      for (const name of SECTION_NAMES) {
        if (report.hashes[name] !== undefined) sections[name] = report.sections[name] ?? bodies.get(`${deviceId}/${name}`);
      }
      const snapshot: Snapshot = { schemaVersion: 1, collectedAt: report.collectedAt.toISOString(), agentVersion: report.agentVersion, host: report.host, sections: sections as Sections };
      return { i, deviceId, report, snapshot, diagnosis: diagnoseWithErrors(snapshot, policy) };
    });
    const wantResets = diagnosed.filter((d) => needsResets(findingsOf.get(d.deviceId) ?? [], d.diagnosis)).map((d) => d.deviceId);
    const resetsOf = new Map<string, ResetDone[]>();
    if (wantResets.length > 0) {
      const rows = await q<{ deviceId: string; params: unknown; finishedAt: Date | null }>(tx,
        `SELECT "deviceId"::text AS "deviceId", params, "finishedAt" FROM "Command"
         WHERE type = 'tcc.reset' AND status = 'succeeded' AND "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`, json(wantResets));
      for (const r of rows) (resetsOf.get(r.deviceId) ?? resetsOf.set(r.deviceId, []).get(r.deviceId)!).push(r);
    }

    const sectionRows: { deviceId: string; section: string; status: string; hash: string; body: unknown; reportId: string }[] = [];
    const droppedRows: { deviceId: string; section: string }[] = [];
    const findingRows: FindingRow[] = [];
    const transitionRows: TransitionRow[] = [];
    const deviceRows: Record<string, unknown>[] = [];
    for (const d of diagnosed) {
      const stored = stateOf.get(d.deviceId) ?? new Map<string, string>();
      const changedSections = SECTION_NAMES.filter((n) => d.report.hashes[n] !== undefined && stored.get(n) !== d.report.hashes[n]);
      // A section stored from a newer agent that this report lacks (agent downgraded): its state is no longer current.
      const notReported = unreportedSections(d.report);
      for (const section of notReported) if (stored.has(section)) droppedRows.push({ deviceId: d.deviceId, section });
      for (const name of changedSections) {
        const section = d.snapshot.sections[name]!;
        sectionRows.push({ deviceId: d.deviceId, section: name, status: section.status, hash: d.report.hashes[name]!, body: section, reportId: d.report.reportId });
      }
      const plan = planReconcile({
        deviceId: d.deviceId, reportId: d.report.reportId, snapshot: d.snapshot, diagnosis: d.diagnosis,
        stored: findingsOf.get(d.deviceId) ?? [], resets: resetsOf.get(d.deviceId) ?? [], now,
      });
      findingRows.push(...plan.upserts);
      transitionRows.push(...plan.transitions);
      // A section this agent version does not report is unchecked, as one it could not read.
      const health = judgeHealth({ openSeverities: plan.outcome.openSeverities, unknownSections: [...d.diagnosis.unknown, ...d.diagnosis.notReported] });
      const summary = deviceSummary(d.snapshot);
      deviceRows.push({
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
      outcomes[d.i] = { kind: 'stored', changedSections, findings: plan.outcome, health, unknownSections: d.diagnosis.unknown, notReportedSections: d.diagnosis.notReported };
    }

    const at = now.toISOString();
    if (reportRows.length > 0) {
      await x(tx, `INSERT INTO "Report" (id, "deviceId", "collectedAt", "receivedAt")
        SELECT id, "deviceId", "collectedAt", $2::timestamp(3) FROM json_to_recordset($1::json) AS t(id text, "deviceId" uuid, "collectedAt" timestamp(3))`,
      json(reportRows), at);
    }
    if (sectionRows.length > 0) {
      const payload = json(sectionRows);
      await x(tx, `INSERT INTO "SectionState" ("deviceId", section, status, hash, body, "updatedAt")
        SELECT "deviceId", section, status, hash, body, $2::timestamp(3) FROM json_to_recordset($1::json) AS t("deviceId" uuid, section text, status text, hash text, body jsonb)
        ON CONFLICT ("deviceId", section) DO UPDATE SET status = EXCLUDED.status, hash = EXCLUDED.hash, body = EXCLUDED.body, "updatedAt" = EXCLUDED."updatedAt"`, payload, at);
      await x(tx, `INSERT INTO "SectionChange" ("deviceId", section, hash, status, body, "reportId", "changedAt")
        SELECT "deviceId", section, hash, status, body, "reportId", $2::timestamp(3) FROM json_to_recordset($1::json) AS t("deviceId" uuid, section text, status text, hash text, body jsonb, "reportId" text)`, payload, at);
    }
    if (droppedRows.length > 0) {
      await x(tx, `DELETE FROM "SectionState" s USING json_to_recordset($1::json) AS t("deviceId" uuid, section text)
        WHERE s."deviceId" = t."deviceId" AND s.section = t.section`, json(droppedRows));
    }
    if (findingRows.length > 0) {
      await x(tx, `INSERT INTO "Finding" (id, "deviceId", "ruleId", key, severity, title, evidence, remedy, state, "firstSeenAt", "lastSeenAt", "resolvedAt")
        SELECT * FROM json_to_recordset($1::json) AS t(id uuid, "deviceId" uuid, "ruleId" text, key text, severity text, title text, evidence jsonb, remedy jsonb, state text, "firstSeenAt" timestamp(3), "lastSeenAt" timestamp(3), "resolvedAt" timestamp(3))
        ON CONFLICT (id) DO UPDATE SET "ruleId" = EXCLUDED."ruleId", severity = EXCLUDED.severity, title = EXCLUDED.title, evidence = EXCLUDED.evidence,
          remedy = EXCLUDED.remedy, state = EXCLUDED.state, "firstSeenAt" = EXCLUDED."firstSeenAt", "lastSeenAt" = EXCLUDED."lastSeenAt", "resolvedAt" = EXCLUDED."resolvedAt"`,
      json(findingRows));
    }
    if (transitionRows.length > 0) {
      await x(tx, `INSERT INTO "FindingTransition" ("deviceId", "findingId", "ruleId", key, "fromState", "toState", at, "reportId")
        SELECT * FROM json_to_recordset($1::json) AS t("deviceId" uuid, "findingId" uuid, "ruleId" text, key text, "fromState" text, "toState" text, at timestamp(3), "reportId" text)`,
      json(transitionRows));
    }
    if (deviceRows.length > 0) {
      // A rename goes into the device's history before the row takes the new name.
      await x(tx, `INSERT INTO "HostnameChange" ("deviceId", "fromHostname", "toHostname", "reportId", "changedAt")
        SELECT d.id, d.hostname, t.hostname, t."reportId", $2::timestamp(3)
        FROM "Device" d JOIN json_to_recordset($1::json) AS t(id uuid, hostname text, "reportId" text) ON d.id = t.id
        WHERE d.hostname IS DISTINCT FROM t.hostname`, json(deviceRows), at);
      await x(tx, `UPDATE "Device" d SET hostname = t.hostname, "serialNumber" = t."serialNumber", "hardwareModel" = t."hardwareModel",
          architecture = t.architecture, platform = t.platform, "consoleUser" = t."consoleUser",
          "osVersion" = CASE WHEN t."hasOs" THEN t."osVersion" ELSE d."osVersion" END,
          "zoomVersion" = CASE WHEN t."hasZoom" THEN t."zoomVersion" ELSE d."zoomVersion" END,
          "lastSeenAt" = $2::timestamp(3), "lastReportAt" = $2::timestamp(3), "lastCollectedAt" = t."collectedAt",
          "reportCount" = d."reportCount" + 1, "lastReportId" = t."reportId",
          health = t.health, "healthRank" = t."healthRank", "problemSince" = t."problemSince", "openFindings" = t."openFindings", "unknownSections" = ARRAY(SELECT json_array_elements_text(t."unknownSections")),
          "notReportedSections" = ARRAY(SELECT json_array_elements_text(t."notReportedSections")), "stateHash" = t."stateHash"
        FROM json_to_recordset($1::json) AS t(id uuid, "reportId" text, hostname text, "serialNumber" text, "hardwareModel" text, architecture text, platform text, "consoleUser" text,
          "hasOs" boolean, "osVersion" text, "hasZoom" boolean, "zoomVersion" text, "collectedAt" timestamp(3), health text, "healthRank" int, "problemSince" timestamp(3), "openFindings" int, "unknownSections" json, "notReportedSections" json, "stateHash" text)
        WHERE d.id = t.id`, json(deviceRows), at);
    }
    if (timesOnly.length > 0) {
      await x(tx, `UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3),
          "lastReportAt" = CASE WHEN t."collectedAt" IS NULL THEN d."lastReportAt" ELSE $2::timestamp(3) END,
          "lastCollectedAt" = COALESCE(t."collectedAt", d."lastCollectedAt"),
          "reportCount" = d."reportCount" + CASE WHEN t."reportId" IS NULL THEN 0 ELSE 1 END, "lastReportId" = COALESCE(t."reportId", d."lastReportId")
        FROM json_to_recordset($1::json) AS t(id uuid, "collectedAt" timestamp(3), "reportId" text) WHERE d.id = t.id`, json(timesOnly), at);
    }
    return outcomes as IngestOutcome[];
  }, { timeout: 60_000, maxWait: 30_000 });
}
