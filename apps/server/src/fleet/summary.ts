import type { Prisma } from '../generated/prisma/client.js';

/** Devices and open findings of one finding (rule) id. */
export interface FindingCount {
  /** finding (rule) id, e.g. "tcc.camera.denied" */
  id: string;
  /** devices with at least one open finding of this id */
  devices: number;
  /** open findings of this id (a device can have several, e.g. one per TCC.db) */
  open: number;
}

/** The fleet at a moment: device counts by health and connectivity, and per finding id. */
export interface FleetCounts {
  total: number;
  healthy: number;
  problems: number;
  unknown: number;
  /** marked online and seen within offlineAfterSeconds of `now` */
  online: number;
  /** total - online */
  offline: number;
  /** most devices first, then by id */
  findings: FindingCount[];
}

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
