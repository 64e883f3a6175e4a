import type { JobDb, ScheduledJob } from './scheduler.js';

/**
 * Devices still marked online whose last sign of life (lastSeenAt: a message or a pong, written in
 * batches every few seconds by the instance holding the socket) is older than `offlineAfterSeconds`
 * become offline. This catches devices whose instance died without marking them offline; a
 * live socket's pongs keep lastSeenAt fresh as long as the heartbeat is shorter than the limit.
 * Returns how many devices were marked offline.
 */
export async function markSilentDevicesOffline(db: JobDb, offlineAfterSeconds: number, now: Date): Promise<{ offline: number }> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  const { count } = await db.device.updateMany({
    where: { online: true, OR: [{ lastSeenAt: { lt: cutoff } }, { lastSeenAt: null }] },
    data: { online: false },
  });
  return { offline: count };
}

/** The offline-detection job: every `intervalSeconds`, markSilentDevicesOffline. */
export function offlineDetectionJob(offlineAfterSeconds: number, intervalSeconds: number): ScheduledJob {
  return { name: 'offline-detection', intervalSeconds, run: (db, now) => markSilentDevicesOffline(db, offlineAfterSeconds, now) };
}
