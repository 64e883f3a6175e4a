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
 * "Ready for calls: 9 → 11; cannot join or at risk: 3 → 1, over 7 days". Null with fewer than
 * 2 samples (no trend to tell).
 */
export function trendText(samples: FleetSample[]): string | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  return `Ready for calls: ${first.healthy} → ${last.healthy}; cannot join or at risk: ${first.problems} → ${last.problems}, over ${spanWords(first.at, last.at)}`;
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
