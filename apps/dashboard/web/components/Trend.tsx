import type { FleetSample } from '../api/types.js';
import { sparklinePoints, trendText } from '../model/trend.js';

const W = 600;
const H = 80;

/**
 * "Ready for calls" and "cannot join or at risk" over time as two lines, with the trend in words
 * (the SVG is hidden from screen readers; the sentence carries it). Nothing with fewer than 2 samples.
 */
export function Trend({ samples }: { samples: FleetSample[] }) {
  const text = trendText(samples);
  if (!text) return null;
  const times = samples.map((s) => Date.parse(s.at));
  const max = Math.max(...samples.map((s) => s.total));
  return (
    <figure class="trend">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <polyline class="trend-healthy" points={sparklinePoints(samples.map((s) => s.healthy), times, max, W, H)} />
        <polyline class="trend-problems" points={sparklinePoints(samples.map((s) => s.problems), times, max, W, H)} />
      </svg>
      <figcaption>
        <span class="trend-key trend-key-healthy" aria-hidden="true" /> Ready for calls{' '}
        <span class="trend-key trend-key-problems" aria-hidden="true" /> Cannot join or at risk
        <p class="trend-text">{text}.</p>
      </figcaption>
    </figure>
  );
}
