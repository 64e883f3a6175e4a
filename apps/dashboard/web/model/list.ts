import { HEALTHS } from '@fleetmedic/protocol';
import type { Health } from '../api/types.js';
import { FINDING_OPTIONS, findingInfo } from './findings.js';
import type { DeviceFilters } from './route.js';
import { SORT_OPTIONS } from './sort.js';
import { HEALTH_WORDS } from './words.js';

/** Allowed values of the list's closed filters; search and limit are free (limit is checked by the page). */
const KNOWN: Partial<Record<keyof DeviceFilters, readonly string[]>> = {
  finding: FINDING_OPTIONS.map((f) => f.id),
  health: HEALTHS,
  online: ['true', 'false'],
  sort: SORT_OPTIONS.map((o) => o.value),
};

/** The URL's filters with unknown values taken out, and which were taken out (`{ key, value }`). */
export interface CleanFilters {
  filters: DeviceFilters;
  ignored: { key: keyof DeviceFilters; value: string }[];
}

/**
 * Takes out of the URL's filters the values `GET /api/v1/devices` would refuse with 400 (a
 * mistyped or outdated link: `health=bogus`, an unknown finding id or sort), so the list still
 * shows and the page can say what it ignored instead of showing the server's schema error.
 */
export function cleanFilters(filters: DeviceFilters): CleanFilters {
  const out = { ...filters };
  const ignored: CleanFilters['ignored'] = [];
  for (const [key, allowed] of Object.entries(KNOWN) as [keyof DeviceFilters, readonly string[]][]) {
    if (out[key] !== '' && !allowed.includes(out[key])) {
      ignored.push({ key, value: out[key] });
      out[key] = '';
    }
  }
  return { filters: out, ignored };
}

/**
 * Why the device list is empty, from its (clean) filters: nothing enrolled yet, no Mac with the
 * finding open, or which filters matched nothing, e.g.
 * "No Mac matches search “zzz” (hostname, serial number or console user) and connection Offline."
 */
export function emptyListWords(filters: DeviceFilters): string {
  const { search, finding, health, online } = filters;
  if (!search && !finding && !health && !online) {
    return 'No Mac has enrolled yet. Run the agent on a Mac with this server\'s address and an enrollment secret; it shows here after its first report.';
  }
  if (finding && !search && !health && !online) return `No Mac has “${findingInfo(finding).title}” open right now.`;
  const parts = [
    search ? `search “${search}” (hostname, serial number or console user)` : '',
    finding ? `problem “${findingInfo(finding).title}”` : '',
    health ? `health ${HEALTH_WORDS[health as Health] ?? health}` : '',
    online ? `connection ${online === 'true' ? 'Online' : 'Offline'}` : '',
  ].filter(Boolean);
  return `No Mac matches ${parts.join(' and ')}.`;
}
