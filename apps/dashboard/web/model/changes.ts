import type { ChangeBefore, FindingChanges } from '../api/types.js';
import { findingInfo } from './findings.js';

/**
 * One shared change in words: "2 of 4 Macs with “Zoom is denied the camera” went through
 * macOS 15.2 → 15.3 in the 24 hours before it appeared".
 */
export function changeWords(f: Pick<FindingChanges, 'findingId' | 'devices'>, c: ChangeBefore, windowHours: number): string {
  const window = windowHours % 24 === 0 ? `${windowHours / 24 === 1 ? '24 hours' : `${windowHours / 24} days`}` : `${windowHours} hours`;
  return `${c.devices} of ${f.devices} ${f.devices === 1 ? 'Mac' : 'Macs'} with “${findingInfo(f.findingId).title}” went through `
    + `${c.change} in the ${window} before it appeared`;
}

/**
 * Why a finding has no changes to show, or how many of its Macs could not be compared: "1 Mac had
 * it from its first report: nothing before to compare." Null when every Mac was compared.
 */
export function uncomparedWords(f: Pick<FindingChanges, 'devices' | 'compared' | 'changes'>, windowHours: number): string | null {
  const first = f.devices - f.compared;
  const parts: string[] = [];
  if (f.changes.length === 0 && f.compared > 0) parts.push(`No section of these Macs changed in the ${windowHours} hours before it appeared.`);
  if (first > 0) parts.push(`${first} ${first === 1 ? 'Mac had' : 'Macs had'} it from ${first === 1 ? 'its' : 'their'} first report: nothing before to compare.`);
  return parts.length > 0 ? parts.join(' ') : null;
}
