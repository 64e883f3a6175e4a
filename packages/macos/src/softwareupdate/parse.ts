import type { SoftwareUpdateItem } from '@fleetmedic/protocol';
import { forEachLine } from '../lines.js';
import { failed, parsed, type ParseResult } from '../result.js';

const LABEL = /^\* Label: (.+?)\s*$/;
const NONE = /^No new software available\.?\s*$/;
/** Lines softwareupdate prints around the list (stdout and stderr, as Fleet reads them combined). */
const CHATTER = /^(Software Update Tool|Finding available software|Software Update found the following new or updated software:)\s*$/;

/** "Title: macOS Tahoe 26.7, Version: 26.7, Size: 2960352KiB, Recommended: YES, Action: restart, " -> fields. */
function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  // A title may itself hold ", " ("Safari, Version"): split only before a known key.
  for (const part of line.trim().split(/,\s*(?=(?:Title|Version|Size|Recommended|Action): )/)) {
    const sep = part.indexOf(': ');
    if (sep > 0) out.set(part.slice(0, sep).trim(), part.slice(sep + 2).replace(/,\s*$/, '').trim());
  }
  return out;
}

/**
 * `softwareupdate --list` (stdout and stderr together) -> every pending update, macOS 10.15+ layout:
 * `* Label: <label>` then a TAB-indented `Title: …, Version: …, Size: <n>KiB, Recommended: YES,
 * Action: restart, ` line (trailing comma and space). "No new software available." is an empty
 * list. Lines it does not know are skipped with a problem; the pre-10.15 layout (no "Label:") is not
 * read (no capture of it). Fails on output with neither an update nor the "no new software" line.
 * Sources: shared/fixtures/macos/softwareupdate, recorded-macs/extra-captures/softwareupdate-*.
 */
export function parseSoftwareUpdateList(text: string): ParseResult<SoftwareUpdateItem[]> {
  const problems: string[] = [];
  const items: SoftwareUpdateItem[] = [];
  let noneLine = false;
  let current: SoftwareUpdateItem | null = null;
  let skipped = 0;
  forEachLine(text, (raw) => {
    const line = raw.trim();
    if (!line || CHATTER.test(line)) return;
    if (NONE.test(line)) {
      noneLine = true;
      return;
    }
    const label = LABEL.exec(line);
    if (label) {
      current = { label: label[1]!, title: null, version: null, sizeKiB: null, recommended: null, restartRequired: false };
      items.push(current);
      return;
    }
    if (current && current.title === null && /^Title: /.test(line)) {
      const f = fields(line);
      const size = /^(\d+)\s*KiB$/i.exec(f.get('Size') ?? '');
      const recommended = f.get('Recommended')?.toUpperCase();
      Object.assign(current, {
        title: f.get('Title') ?? null,
        version: f.get('Version') ?? null,
        sizeKiB: size ? Number(size[1]) : null,
        recommended: recommended === 'YES' ? true : recommended === 'NO' ? false : null,
        restartRequired: /\brestart\b/i.test(f.get('Action') ?? ''),
      });
      return;
    }
    skipped++;
  });
  if (skipped) problems.push(`skipped ${skipped} line(s) that are neither a "* Label:" nor its "Title:" line`);
  items.filter((i) => i.title === null).forEach((i) => problems.push(`update "${i.label}" has no Title line`));
  if (items.length === 0 && !noneLine) return failed('no "* Label:" line and no "No new software available." in softwareupdate output', problems);
  if (items.length > 0 && noneLine) problems.push('both updates and "No new software available." in one output');
  return parsed(items, problems);
}

/**
 * The recommended macOS updates of the installed major release: title starting "macOS", Recommended
 * YES, version of the same major as `productVersion` and newer than it (26.5.1 -> "macOS Tahoe 26.7";
 * "macOS 27" is an upgrade, not an update). Empty when productVersion has no major.
 */
export function pendingMacosUpdates(updates: SoftwareUpdateItem[], productVersion: string): SoftwareUpdateItem[] {
  const installed = productVersion.split('.').map(Number);
  if (!Number.isInteger(installed[0])) return [];
  const newer = (v: number[]) => {
    for (let i = 0; i < Math.max(v.length, installed.length); i++) if ((v[i] ?? 0) !== (installed[i] ?? 0)) return (v[i] ?? 0) > (installed[i] ?? 0);
    return false;
  };
  return updates.filter((u) => {
    const v = (u.version ?? '').split('.').map(Number);
    return /^macOS\b/.test(u.title ?? '') && u.recommended === true && v.every(Number.isInteger) && v[0] === installed[0] && newer(v);
  });
}
