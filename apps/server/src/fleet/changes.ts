import { describeSectionChange, type SectionBody } from '@fleetmedic/diagnosis';
import type { FindingChanges, FleetChanges } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';

/**
 * For each open finding (of `$1`, or all when null): its Mac's section changes in the `$2` hours
 * up to the moment it first appeared (the change written by the same report included), each paired
 * with the section's previous content; a first report has no previous content and is no change.
 * Pairs with the same content before and after (same hashes: sha256 of the content) are one group
 * with its Macs, and its bodies are read once: a fleet that made one macOS update reads two bodies,
 * not two per Mac. One statement; the previous row comes from the (deviceId, changedAt) index.
 */
const CHANGES_SQL = `
WITH pairs AS (
  SELECT f."ruleId", f."deviceId", c.section, c.hash, c.id, prev.hash AS "prevHash", prev.id AS "prevId"
  FROM "Finding" f
  JOIN "SectionChange" c ON c."deviceId" = f."deviceId"
    AND c."changedAt" <= f."firstSeenAt" AND c."changedAt" >= f."firstSeenAt" - make_interval(hours => $2::int)
  JOIN LATERAL (
    SELECT p.id, p.hash FROM "SectionChange" p
    WHERE p."deviceId" = c."deviceId" AND p.section = c.section AND (p."changedAt", p.id) < (c."changedAt", c.id)
    ORDER BY p."changedAt" DESC, p.id DESC LIMIT 1
  ) prev ON true
  WHERE f.state = 'open' AND ($1::text IS NULL OR f."ruleId" = $1::text) AND prev.hash <> c.hash
), groups AS (
  SELECT "ruleId", section, "prevHash", hash, array_agg(DISTINCT "deviceId"::text) AS devices, min(id) AS id, min("prevId") AS "prevId"
  FROM pairs GROUP BY "ruleId", section, "prevHash", hash
)
SELECT g."ruleId", g.section, g.devices, b.body AS before, a.body AS after
FROM groups g JOIN "SectionChange" a ON a.id = g.id JOIN "SectionChange" b ON b.id = g."prevId"`;

/** Macs with each finding open, and how many of them had a report before it appeared. */
const DEVICES_SQL = `
SELECT f."ruleId", max(f.severity) FILTER (WHERE f.severity = 'critical') AS critical, min(f.severity) AS severity,
  count(DISTINCT f."deviceId")::int AS devices,
  count(DISTINCT f."deviceId") FILTER (WHERE EXISTS (
    SELECT 1 FROM "SectionChange" c WHERE c."deviceId" = f."deviceId" AND c."changedAt" < f."firstSeenAt"))::int AS compared
FROM "Finding" f WHERE f.state = 'open' AND ($1::text IS NULL OR f."ruleId" = $1::text)
GROUP BY f."ruleId"`;

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/**
 * What changed before it broke, across the fleet: for each open finding id (or only `findingId`),
 * the section changes its Macs made in the `windowHours` (h) before it first appeared on each Mac,
 * in words (describeSectionChange), each counted once per Mac, most shared first; at most `limit`
 * changes per finding. Findings worst first: severity, then most Macs, then id. (JIT is off in
 * every session, SESSION_OPTIONS: at 20,000 Macs it spent 5.7 s compiling this plan that ran in 0.1 s.)
 */
export async function changesBeforeFindings(db: PrismaClient, opts: { windowHours: number; findingId?: string; limit: number }): Promise<FleetChanges> {
  const finding = opts.findingId ?? null;
  const [rows, counts] = await db.$transaction([
    db.$queryRawUnsafe<Array<{ ruleId: string; section: string; devices: string[]; before: SectionBody; after: SectionBody }>>(CHANGES_SQL, finding, opts.windowHours),
    db.$queryRawUnsafe<Array<{ ruleId: string; critical: string | null; severity: string; devices: number; compared: number }>>(DEVICES_SQL, finding),
  ]);
  // finding id -> "section\u0000change" -> the Macs that made it
  const shared = new Map<string, Map<string, Set<string>>>();
  for (const r of rows) {
    const byChange = shared.get(r.ruleId) ?? shared.set(r.ruleId, new Map()).get(r.ruleId)!;
    for (const change of describeSectionChange(r.section, r.before ?? {}, r.after ?? {})) {
      const key = `${r.section}\u0000${change}`;
      const macs = byChange.get(key) ?? byChange.set(key, new Set()).get(key)!;
      for (const deviceId of r.devices) macs.add(deviceId);
    }
  }
  const findings: FindingChanges[] = counts.map((c) => ({
    findingId: c.ruleId,
    severity: (c.critical ?? c.severity) as FindingChanges['severity'],
    devices: c.devices,
    compared: c.compared,
    changes: [...(shared.get(c.ruleId) ?? new Map<string, Set<string>>())]
      .map(([key, macs]) => {
        const [section, change] = key.split('\u0000') as [string, string];
        return { section, change, devices: macs.size };
      })
      .sort((a, b) => b.devices - a.devices || a.section.localeCompare(b.section) || a.change.localeCompare(b.change))
      .slice(0, opts.limit),
  }));
  findings.sort((a, b) => (SEVERITY_RANK[a.severity] ?? 1) - (SEVERITY_RANK[b.severity] ?? 1) || b.devices - a.devices || a.findingId.localeCompare(b.findingId));
  return { windowHours: opts.windowHours, findings };
}
