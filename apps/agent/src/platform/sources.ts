/**
 * Platform gating, in one place (osquery style): which source serves which signal on which
 * macOS release. The rows are each section's `sources` in the section registry
 * (packages/protocol/src/sections/registry.ts). Collectors ask `sourcesFor` and try the answers
 * in order; they never test versions themselves. Facts behind each row are in fixtures/macos/FORMATS.md.
 */

import { SECTION_REGISTRY, type SectionName, type SectionRegistry, type SectionSourceId, type SourceRule } from '@fleetmedic/protocol';

export type { SourceRule } from '@fleetmedic/protocol';

/** A signal: one section of the registry. */
export type Signal = SectionName;

/** Sources a collector knows how to read: every `source` of the registry's sections. */
export type SourceId = SectionSourceId;

/** A source row of one signal, its `source` typed as that signal's source ids. */
export type SourceOf<N extends Signal> = SectionRegistry[N]['sources'][number];

/** Major release of a macOS ProductVersion ("15.3.1" -> 15, "10.15.7" -> 10), or null when unreadable. */
export function macosMajor(productVersion: string | null | undefined): number | null {
  const m = /^\s*(\d+)/.exec(productVersion ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * The sources to try for a signal on a macOS release, in preference order. When the version is
 * unknown (sw_vers failed) every source is returned: trying is better than guessing.
 */
export function sourcesFor<N extends Signal>(signal: N, productVersion: string | null): SourceOf<N>[] {
  const major = macosMajor(productVersion);
  return (SECTION_REGISTRY[signal].sources as readonly SourceRule[]).filter(
    (r) => major === null || ((r.sinceMajor === undefined || major >= r.sinceMajor) && (r.untilMajor === undefined || major <= r.untilMajor)),
  ) as SourceOf<N>[];
}

/** Whether the Mac sections can be collected on this platform; the reason when not ("not macOS (linux)"). */
export function macSectionsSupported(platform: string): { supported: true } | { supported: false; reason: string } {
  return platform === 'darwin' ? { supported: true } : { supported: false, reason: `not macOS (${platform})` };
}
