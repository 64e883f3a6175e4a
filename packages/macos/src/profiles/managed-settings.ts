import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `system_profiler SPConfigurationProfileDataType` text parsed, characters (a Mac with dozens of profiles prints under 100,000). */
export const SP_PROFILES_MAX_CHARS = 512 * 1024;

/** One managed preference as System Information prints it: its value, how it is enforced, and which profiles set it. */
export interface ManagedSetting {
  /** The value as printed ("1", "detail"); null when the block has no `Value:` line. */
  value: string | null;
  /** `always` (enforced) or `once`/`often` (a default the user may change); null when not printed. */
  state: string | null;
  /** The profiles that set it, e.g. `com.apple.security.firewall (Computer)`. */
  sources: string[];
}

/** Managed preferences by domain (`com.apple.security.firewall`) and key (`EnableFirewall`). */
export type ManagedSettings = Record<string, Record<string, ManagedSetting>>;

// A domain header is a reverse-DNS name alone on a line with a colon; this keeps `ALF:` (an
// SPExtensionsDataType item) and prose lines ("This is from System Profiler:") out.
const DOMAIN = /^\s*([A-Za-z0-9-]+(?:\.[A-Za-z0-9_-]+){2,}):\s*$/;
const KEY = /^\s+([A-Za-z][A-Za-z0-9_.-]*):\s*$/;
const FIELD = /^\s+(Value|State|Source):[ \t]?(.*)$/;

/**
 * Reads the managed preferences that `system_profiler SPConfigurationProfileDataType` (text)
 * prints per payload domain: a `domain:` line, then per key a `Key:` line followed by
 * `Value:`, `State:` and `Source:` lines. Lines of other kinds (other data types printed in the
 * same capture, prose) are skipped. Never throws: no domain with a key gives `ok: false`; a key
 * without a Value line, and a capture that ends without a newline (the last line may be cut),
 * are problems.
 *
 * Format source: fleetdm/fleet#21802 (macOS 15, MDM-managed `com.apple.security.firewall`),
 * shared/fixtures/macos/firewall/fleet21802-SPConfigurationProfile-managed-firewall-macos15-PARTIAL.txt.
 */
export function parseManagedSettings(stdout: string): ParseResult<ManagedSettings> {
  const oversized = refuseOversized(stdout, SP_PROFILES_MAX_CHARS, 'system_profiler SPConfigurationProfileDataType output');
  if (oversized) return oversized;
  const settings: ManagedSettings = {};
  const problems: string[] = [];
  let domain: Record<string, ManagedSetting> | null = null;
  let setting: ManagedSetting | null = null;
  for (const line of stdout.split(/\r?\n/)) {
    const d = DOMAIN.exec(line);
    if (d) {
      domain = settings[d[1]!] ??= {};
      setting = null;
      continue;
    }
    const f = FIELD.exec(line);
    if (f && setting) {
      const text = f[2]!.trim();
      if (f[1] === 'Value') setting.value = text;
      else if (f[1] === 'State') setting.state = text;
      else setting.sources = text.split(/,\s*/).filter((s) => s !== '');
      continue;
    }
    const k = KEY.exec(line);
    if (k && domain) {
      setting = domain[k[1]!] = { value: null, state: null, sources: [] };
      continue;
    }
    // Anything else ends the current domain's block.
    if (line.trim() !== '' && !/^\s/.test(line)) domain = setting = null;
  }
  for (const [name, keys] of Object.entries(settings)) {
    if (Object.keys(keys).length === 0) delete settings[name];
    else for (const [key, s] of Object.entries(keys)) if (s.value === null) problems.push(`${name} ${key}: no Value line`);
  }
  if (Object.keys(settings).length === 0) return failed('no managed preference domain with settings in SPConfigurationProfileDataType output', problems);
  if (stdout !== '' && !stdout.endsWith('\n')) problems.push('output ends without a newline: the last line may be cut');
  return parsed(settings, problems);
}
