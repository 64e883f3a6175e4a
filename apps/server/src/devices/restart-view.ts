import type { RestartView, StoredSection } from '@fleetmedic/protocol';

/** The boot time in a stored `softwareUpdate` section (ISO 8601), or null when absent or unread. */
export function reportedBootAt(section: StoredSection | undefined): string | null {
  const v = (section?.data as { lastBootAt?: unknown } | undefined)?.lastBootAt;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null;
}

/**
 * Restarted since the last permission reset: the boot after the reset's finish. Null when either
 * time is unknown (no reset, or no boot time reported). Times: ISO 8601 / Date, compared in ms.
 */
export function restartView(lastBootAt: string | null, lastTccResetAt: Date | null): RestartView {
  return {
    lastBootAt,
    lastTccResetAt: lastTccResetAt?.toISOString() ?? null,
    restartedSinceTccReset: lastBootAt === null || lastTccResetAt === null ? null : Date.parse(lastBootAt) > lastTccResetAt.getTime(),
  };
}
