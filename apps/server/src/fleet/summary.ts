import type { FindingCount, FleetSummary } from '@fleetmedic/protocol';
import type { Prisma } from '../generated/prisma/client.js';

/** The fleet at a moment, as GET /api/v1/fleet/summary shows it (defined in @fleetmedic/protocol). */
export type FleetCounts = FleetSummary;

/**
 * Counts the fleet as GET /api/v1/fleet/summary shows it and the fleet-sample job records it:
 * Device rows grouped by health, devices online with lastSeenAt within `offlineAfterSeconds` (s)
 * of `now`, and open Finding rows per (ruleId, deviceId). Works on the client or a transaction.
 */
export async function countFleet(db: Prisma.TransactionClient, offlineAfterSeconds: number, now: Date): Promise<FleetCounts> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  const [byHealth, online, perDevice] = await Promise.all([
    db.device.groupBy({ by: ['health'], _count: { _all: true } }),
    db.device.count({ where: { online: true, lastSeenAt: { gte: cutoff } } }),
    db.finding.groupBy({ by: ['ruleId', 'deviceId'], where: { state: 'open' }, _count: { _all: true } }),
  ]);
  const count = (h: string) => byHealth.find((g) => g.health === h)?._count._all ?? 0;
  const total = byHealth.reduce((n, g) => n + g._count._all, 0);
  const findings = new Map<string, FindingCount>();
  for (const g of perDevice) {
    const entry = findings.get(g.ruleId) ?? { id: g.ruleId, devices: 0, open: 0 };
    entry.devices += 1;
    entry.open += g._count._all;
    findings.set(g.ruleId, entry);
  }
  return {
    total,
    healthy: count('healthy'),
    problems: count('problems'),
    unknown: count('unknown'),
    online,
    offline: total - online,
    findings: [...findings.values()].sort((a, b) => b.devices - a.devices || a.id.localeCompare(b.id)),
  };
}
