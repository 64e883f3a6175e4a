import type { FleetSample } from '../api/types.js';
import { notEnoughHistory, sparklinePoints, trendText } from '../model/trend.js';
import { dateTime } from '../model/words.js';

const W = 600;
const H = 80;

/** The three lines, worst first: class suffix, words, value of a sample. */
const LINES = [
  ['cannot-join', 'Cannot join', (s: FleetSample) => s.cannotJoin],
  ['at-risk', 'At risk', (s: FleetSample) => s.atRisk],
  ['ready', 'Ready for calls', (s: FleetSample) => s.ready],
] as const;

/**
 * "Cannot join", "at risk" and "ready for calls" over time as three lines, with the trend in words
 * (the SVG is hidden from screen readers; the sentence carries it). With fewer than 2 samples it
 * says plainly that there is not enough history yet.
 */
export function Trend({ samples }: { samples: FleetSample[] }) {
  const text = trendText(samples);
  if (!text) return <p class="muted trend-empty">{notEnoughHistory(samples, dateTime)}</p>;
  const times = samples.map((s) => Date.parse(s.at));
  const max = Math.max(...samples.map((s) => s.total));
  return (
    <figure class="trend">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        {LINES.map(([kind, , value]) => <polyline key={kind} class={`trend-${kind}`} points={sparklinePoints(samples.map(value), times, max, W, H)} />)}
      </svg>
      <figcaption>
        {LINES.map(([kind, words]) => (
          <span key={kind}><span class={`trend-key trend-key-${kind}`} aria-hidden="true" /> {words}{' '}</span>
        ))}
        <p class="trend-text">{text}.</p>
      </figcaption>
    </figure>
  );
}
