/**
 * Platform gating, in one place (osquery style): which source serves which signal on which
 * macOS release. Collectors ask `sourcesFor` and try the answers in order; they never test
 * versions themselves. Facts behind each row are in fixtures/macos/FORMATS.md.
 */

export type Signal = 'usb' | 'firewall' | 'power';

/** Sources a collector knows how to read. */
export type SourceId =
  | 'SPUSBDataType'
  | 'SPUSBHostDataType'
  | 'ioreg-IOUSB'
  | 'socketfilterfw'
  | 'SPFirewallDataType'
  | 'pmset'
  | 'SPPowerDataType';

export interface SourceRule {
  source: SourceId;
  /** First macOS major release (10 for all 10.x) where the source serves the signal. */
  sinceMajor?: number;
  /** Last macOS major release where it serves the signal. */
  untilMajor?: number;
  /** Why the row is what it is. */
  why: string;
}

/** Preference order per signal. `com.apple.alf.plist` (≤ 14, removed in 15) is not read: socketfilterfw covers every release. */
export const SOURCE_TABLE: Record<Signal, readonly SourceRule[]> = {
  usb: [
    { source: 'SPUSBDataType', untilMajor: 15, why: 'full tree with bus power and current required (mA) up to macOS 15; empty on 26+ (exit 0)' },
    { source: 'SPUSBHostDataType', sinceMajor: 26, why: 'replaces SPUSBDataType on macOS 26+ (power only as Power Allocated)' },
    { source: 'ioreg-IOUSB', why: 'IOUSB plane on every release: the fallback when system_profiler fails' },
  ],
  firewall: [
    { source: 'socketfilterfw', why: 'reads global state, block-all, stealth mode, allow-signed and the app list on every release' },
    { source: 'SPFirewallDataType', sinceMajor: 15, why: 'system_profiler firewall report from macOS 15: the fallback when socketfilterfw fails' },
  ],
  power: [
    { source: 'pmset', why: 'power source, battery state and adapter on every release' },
    { source: 'SPPowerDataType', why: 'adapter wattage and name, battery presence on every release' },
  ],
};

/** Major release of a macOS ProductVersion ("15.3.1" -> 15, "10.15.7" -> 10), or null when unreadable. */
export function macosMajor(productVersion: string | null | undefined): number | null {
  const m = /^\s*(\d+)/.exec(productVersion ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * The sources to try for a signal on a macOS release, in preference order. When the version is
 * unknown (sw_vers failed) every source is returned: trying is better than guessing.
 */
export function sourcesFor(signal: Signal, productVersion: string | null): SourceRule[] {
  const major = macosMajor(productVersion);
  return SOURCE_TABLE[signal].filter(
    (r) => major === null || ((r.sinceMajor === undefined || major >= r.sinceMajor) && (r.untilMajor === undefined || major <= r.untilMajor)),
  );
}

/** Whether the Mac sections can be collected on this platform; the reason when not ("not macOS (linux)"). */
export function macSectionsSupported(platform: string): { supported: true } | { supported: false; reason: string } {
  return platform === 'darwin' ? { supported: true } : { supported: false, reason: `not macOS (${platform})` };
}
