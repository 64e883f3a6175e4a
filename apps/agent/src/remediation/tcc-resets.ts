import type { Action, TccLogReset } from '@fleetmedic/protocol';

/** Resets kept: one per service and app is all a rule reads (the newest). */
const MAX_RESETS = 64;

/** `2026-10-06 11:58:10.001`: a time in the layout `log show --style compact` prints, on this process's (the Mac's) local clock. */
export function logClockTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * The `tcc.reset` runs this agent completed, newest per (service, app), in memory. The unified
 * log keeps a denial after `tccutil reset` (nothing is logged until the app asks again), so the
 * TCC section reports these beside the log's decisions and the rules read a newer reset as
 * "not asked since". Lost on restart: the next decision in the log then speaks.
 */
export class TccResetMarks {
  private readonly marks = new Map<string, TccLogReset>();

  /** Records a succeeded action when it is a tcc.reset; `All` stands for every service, as tccutil's. */
  record(action: Action, finishedAt: Date): void {
    if (action.type !== 'tcc.reset') return;
    const { service, bundleId } = action.params as { service: string; bundleId: string };
    const mark = { service: `kTCCService${service}`, client: bundleId, at: logClockTime(finishedAt) };
    this.marks.delete(`${mark.service}\u0000${mark.client}`);
    this.marks.set(`${mark.service}\u0000${mark.client}`, mark);
    while (this.marks.size > MAX_RESETS) this.marks.delete(this.marks.keys().next().value as string);
  }

  list(): TccLogReset[] {
    return [...this.marks.values()];
  }
}
