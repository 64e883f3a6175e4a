import type { Action, CommandStatus, FirewallFacts, PowerFacts } from '@fleetmedic/protocol';
import type { FleetSummary, Health } from '../api/types.js';

/** A Mac's health in words (badges, filters, tiles, empty states), for HEALTHS of @fleetmedic/protocol. */
export const HEALTH_WORDS: Record<Health, string> = { 'cannot-join': 'Cannot join', unknown: 'Unknown', 'at-risk': 'At risk', ready: 'Ready for calls' };

/** What each health means, one sentence (tile notes, filter help). */
export const HEALTH_MEANING: Record<Health, string> = {
  'cannot-join': 'a critical problem stops calls',
  unknown: 'a section that decides it could not be checked',
  'at-risk': 'calls work; a warning is open',
  ready: 'every check passed',
};

/** One action in words, naming the target device, for the confirmation dialog. */
export function describeAction(action: Action, hostname: string): string {
  switch (action.type) {
    case 'tcc.reset':
      return `Reset the ${action.params.service} permission (TCC) of ${action.params.bundleId} on ${hostname}. `
        + 'macOS asks the user again the next time the app wants it.';
    case 'firewall.allow':
      return `Allow incoming connections to ${action.params.appPath} in the application firewall of ${hostname}.`;
    case 'firewall.block':
      return `Block incoming connections to ${action.params.appPath} in the application firewall of ${hostname}.`;
    case 'zoom.quit':
      return `Quit Zoom on ${hostname}. Any call in progress there ends.`;
    case 'agent.collect':
      return `Ask the agent on ${hostname} to collect all facts again now.`;
    case 'zoom.clear-caches':
      return `Quit Zoom on ${hostname} and remove ${action.params.user}'s Zoom caches and data: ${action.params.paths.join(', ')}. `
        + 'Any call in progress there ends, Zoom may ask the user to sign in again, and the app itself is not repaired.';
  }
}

/** Short button label of an action. */
export function actionLabel(action: Action): string {
  switch (action.type) {
    case 'tcc.reset':
      return `Reset ${action.params.service} permission`;
    case 'firewall.allow':
      return 'Allow in firewall';
    case 'firewall.block':
      return 'Block in firewall';
    case 'zoom.quit':
      return 'Quit Zoom';
    case 'agent.collect':
      return 'Collect now';
    case 'zoom.clear-caches':
      return `Clear ${action.params.user}'s Zoom caches`;
  }
}

/** Command status in words. */
export const COMMAND_STATUS_WORDS: Record<CommandStatus, string> = {
  queued: 'Queued: waiting for the Mac to connect',
  sent: 'Sent to the Mac',
  acknowledged: 'Running on the Mac',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timed_out: 'Timed out: the Mac did not answer in time',
  expired: 'Expired before the Mac came online',
  cancelled: 'Cancelled',
};

/** ALF global state in words. */
export function firewallStateWords(fw: FirewallFacts): string {
  if (fw.blockAll || fw.globalState === 2) return 'On, blocking all incoming connections';
  if (fw.globalState === 1) return 'On';
  if (fw.globalState === 0) return 'Off';
  return 'Unknown';
}

/** Power source in words, e.g. "Power adapter, 96 W" or "Battery, 54 %, discharging". */
export function powerWords(p: PowerFacts): string {
  const parts: string[] = [];
  if (p.source === 'ac') parts.push('Power adapter');
  else if (p.source === 'battery') parts.push('Battery');
  else if (p.source === 'ups') parts.push('UPS');
  else parts.push('Unknown source');
  if (p.source === 'ac' && p.adapterWatts != null) parts.push(`${p.adapterWatts} W`);
  if (p.batteryPercent != null) parts.push(`battery ${p.batteryPercent} %`);
  if (p.batteryState) parts.push(p.batteryState);
  return parts.join(', ');
}

/**
 * The caption under the overview's tiles. Cannot join / unknown / at risk / ready count every Mac by its
 * last report, offline Macs included, so they add up to the total and Offline overlaps them: the
 * caption says so, and how many Macs are offline. null when no Mac is enrolled.
 */
export function tilesCaption(s: Pick<FleetSummary, 'total' | 'offline'>): string | null {
  if (s.total === 0) return null;
  const counted = 'Counted by each Mac\'s last report';
  if (s.offline === 0) return `${counted}; ${s.total === 1 ? 'the Mac is' : `all ${s.total} Macs are`} online.`;
  const of = s.total === 1 ? 'the only Mac is' : `${s.offline} of ${s.total} Macs ${s.offline === 1 ? 'is' : 'are'}`;
  return `${counted}, offline Macs included: ${of} offline, shown as ${s.offline === 1 ? 'it was' : 'they were'} when last seen.`;
}

/** "3 min ago" style age of an ISO 8601 time, relative to `now` (ms since epoch). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Local date and time of an ISO 8601 string, e.g. "2024-05-01 14:03". */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What to do about an API error, by its status: role, server down, gone, too many tries, server failure. */
export function errorHint(error: { status: number }): string {
  if (error.status === 403) return 'Your token does not have the role needed for this: ask an admin for one that does.';
  if (error.status === 0) return 'Check that the FleetMedic server is running and this page\'s address points at it, then reload.';
  if (error.status === 404) return 'It does not exist (any more).';
  if (error.status === 429) return 'Too many failed attempts from this address: wait a few minutes, then reload.';
  if (error.status >= 500) return 'The server failed: reload to try again; if it keeps failing, the server\'s log says why.';
  return '';
}
