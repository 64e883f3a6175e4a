import type { FleetSample } from '../api/types.js';

/** "7 days", "1 day", "5 hours", "45 minutes": the span between two ISO 8601 times, rounded to the largest unit. */
export function spanWords(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  const [n, unit] = minutes >= 36 * 60 ? [Math.round(minutes / 1440), 'day'] : minutes >= 90 ? [Math.round(minutes / 60), 'hour'] : [minutes, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The samples from the first one with an enrolled Mac on (oldest first in, oldest first out):
 * samples taken before any Mac enrolled (a new server) would draw the fleet's arrival as
 * "cannot join: 0 → 11", a rise in problems that never happened.
 */
export const fromFirstMac = (samples: FleetSample[]): FleetSample[] => {
  const first = samples.findIndex((s) => s.total > 0);
  return first === -1 ? [] : samples.slice(first);
};

/**
 * The trend in words for screen readers and the caption, from samples oldest first:
 * "Cannot join: 3 → 1; at risk: 2 → 2; ready for calls: 9 → 11, over 7 days". Null with fewer
 * than 2 samples (no trend to tell: notEnoughHistory says so).
 */
export function trendText(samples: FleetSample[]): string | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  return `Cannot join: ${first.cannotJoin} → ${last.cannotJoin}; at risk: ${first.atRisk} → ${last.atRisk}; `
    + `ready for calls: ${first.ready} → ${last.ready}, over ${spanWords(first.at, last.at)}`;
}

/**
 * What the trend panel says instead of a line when it has fewer than 2 samples, plainly: none yet
 * (the first is taken when the first Mac reports), or only the one of `at` (HH:MM), the next at
 * the fleet's next change or on the schedule.
 */
export function notEnoughHistory(samples: FleetSample[], hhmm: (iso: string) => string): string {
  if (samples.length === 0) return 'Not enough history yet: the first point is taken as soon as a Mac reports.';
  return `Not enough history yet: one point so far (${hhmm(samples[0]!.at)}, ${samples[0]!.total} ${samples[0]!.total === 1 ? 'Mac' : 'Macs'}). `
    + 'The next comes when another Mac reports for the first time, or at the next scheduled sample.';
}

/**
 * SVG polyline points ("x,y x,y …") for `values` in a `width` × `height` box: x by time
 * (`times`, ms; evenly spaced samples leave no gaps wrong), y from 0 at the bottom to `max` at the top.
 */
export function sparklinePoints(values: number[], times: number[], max: number, width: number, height: number): string {
  const t0 = times[0] ?? 0;
  const span = (times[times.length - 1] ?? 0) - t0 || 1;
  const top = max > 0 ? max : 1;
  return values
    .map((v, i) => `${round(((times[i]! - t0) / span) * width)},${round(height - (v / top) * height)}`)
    .join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;
