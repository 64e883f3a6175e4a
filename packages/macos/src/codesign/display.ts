import type { CodeSignatureInfo } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';

/** A Team ID is ten upper-case letters and digits (Zoom's: BJ4HAAB9B3). */
const TEAM_ID = /^[A-Z0-9]{10}$/;

/**
 * `codesign -dv <app>` (its stderr; `-dvv` and up add `Authority=` lines) -> CodeSignatureInfo.
 * Reads `Identifier=`, `TeamIdentifier=` ("not set" -> null: ad-hoc or Apple's own), every
 * `Authority=` in order, and `Signature=adhoc`. Other lines (Executable, Format, CodeDirectory,
 * prompts, an entitlements dump) are ignored. Fails on "code object is not signed at all" and when
 * no signature line is present. Sources: recorded-macs/extra-captures/codesign-dv*.
 */
export function parseCodesignDisplay(stderr: string): ParseResult<CodeSignatureInfo> {
  const problems: string[] = [];
  let identifier: string | null = null;
  let teamId: string | null = null;
  let teamSeen = false;
  let adhoc = false;
  const authorities: string[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    if (/: code object is not signed at all$/.test(line)) return failed('code object is not signed at all');
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'Identifier') identifier ??= value || null;
    else if (key === 'Authority' && value) authorities.push(value);
    else if (key === 'Signature' && value === 'adhoc') adhoc = true;
    else if (key === 'CodeDirectory v' && /flags=0x[0-9a-f]*2\(adhoc/i.test(value)) adhoc = true;
    else if (key === 'TeamIdentifier' && !teamSeen) {
      teamSeen = true;
      teamId = value === 'not set' || value === '' ? null : value;
      if (teamId !== null && !TEAM_ID.test(teamId)) problems.push(`TeamIdentifier "${teamId}" is not a 10-character Team ID`);
    }
  }
  if (identifier === null && !teamSeen && authorities.length === 0) return failed('no Identifier=, TeamIdentifier= or Authority= line in codesign -dv output');
  if (!teamSeen) {
    // -dvvv excerpts may lack the line; the leaf authority names the team in parentheses.
    const fromLeaf = /\(([A-Z0-9]{10})\)$/.exec(authorities[0] ?? '')?.[1] ?? null;
    problems.push(fromLeaf ? `no TeamIdentifier= line: Team ID ${fromLeaf} taken from the leaf Authority` : 'no TeamIdentifier= line');
    teamId = fromLeaf;
  }
  return parsed({ identifier, teamId, authorities, adhoc }, problems);
}
