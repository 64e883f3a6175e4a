import { HEALTH_COUNT_FIELD, HEALTHS, type FindingCount, type FleetSummary, type Health } from '@fleetmedic/protocol';
import type { Prisma } from '../generated/prisma/client.js';

/** The fleet at a moment, as GET /api/v1/fleet/summary shows it (defined in @fleetmedic/protocol). */
export type FleetCounts = FleetSummary;

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Counts the fleet as GET /api/v1/fleet/summary shows it and the fleet-sample job records it:
 * Device rows grouped by health (HEALTHS), devices online with lastSeenAt within
 * `offlineAfterSeconds` (s) of `now`, and open Finding rows per (ruleId, severity, deviceId), worst
 * first: severity, then most devices, then id. Works on the client or a transaction.
 */
export async function countFleet(db: Prisma.TransactionClient, offlineAfterSeconds: number, now: Date): Promise<FleetCounts> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  const [byHealth, online, perDevice] = await Promise.all([
    db.device.groupBy({ by: ['health'], _count: { _all: true } }),
    db.device.count({ where: { online: true, lastSeenAt: { gte: cutoff } } }),
    db.finding.groupBy({ by: ['ruleId', 'severity', 'deviceId'], where: { state: 'open' }, _count: { _all: true } }),
  ]);
  const counts = { cannotJoin: 0, unknown: 0, atRisk: 0, ready: 0 };
  let total = 0;
  for (const g of byHealth) {
    total += g._count._all;
    // A value outside HEALTHS (a row no report has judged under this model yet) counts as unknown.
    const health = (HEALTHS as readonly string[]).includes(g.health) ? g.health as Health : 'unknown';
    counts[HEALTH_COUNT_FIELD[health]] += g._count._all;
  }
  const findings = new Map<string, FindingCount & { deviceIds: Set<string> }>();
  for (const g of perDevice) {
    const entry = findings.get(g.ruleId) ?? { id: g.ruleId, severity: g.severity as FindingCount['severity'], devices: 0, open: 0, deviceIds: new Set<string>() };
    if ((SEVERITY_RANK[g.severity] ?? 1) < (SEVERITY_RANK[entry.severity] ?? 1)) entry.severity = g.severity as FindingCount['severity'];
    entry.deviceIds.add(g.deviceId);
    entry.open += g._count._all;
    findings.set(g.ruleId, entry);
  }
  return {
    total,
    ...counts,
    online,
    offline: total - online,
    findings: [...findings.values()]
      .map(({ deviceIds, ...f }) => ({ ...f, devices: deviceIds.size }))
      .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 1) - (SEVERITY_RANK[b.severity] ?? 1) || b.devices - a.devices || a.id.localeCompare(b.id)),
  };
}
