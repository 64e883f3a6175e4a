import { failed, parsed, type ParseResult } from '../result.js';
import { buildTextTree } from '../usb/indented.js';

/** One application of `system_profiler SPApplicationsDataType`, fields as printed. */
export interface ApplicationEntry {
  name: string;
  version: string | null;
  location: string | null;
  /** "Signed by:" split on ", ": leaf certificate first, e.g. "Developer ID Application: Zoom Video Communications, Inc. (BJ4HAAB9B3)". */
  signedBy: string[];
  /** The Team ID in parentheses at the end of the leaf certificate, else null. */
  teamId: string | null;
  obtainedFrom: string | null;
  /** "Last Modified:" as printed: its date order follows the Mac's locale (18/12/2023 09:28). */
  lastModified: string | null;
}

/** Certificate names hold ", " ("Zoom Video Communications, Inc."): split only before the next certificate. */
const splitSigners = (v: string): string[] => v.split(/, (?=Developer ID|Apple |Software Signing|Mac App Store|Apple Mac OS)/).map((s) => s.trim()).filter(Boolean);

/**
 * `system_profiler SPApplicationsDataType` text -> every application. "Applications:" > one header per
 * app > "Version:", "Location:", "Signed by:", "Obtained from:", "Last Modified:". Continuation lines
 * of a wrapped "Get Info String" are skipped with a problem. Fails without an "Applications:" header.
 * Source: shared/fixtures/macos/apps (Zoom listed as "zoom:" at /Applications/zoom.us.app).
 */
export function parseSpApplicationsText(text: string): ParseResult<ApplicationEntry[]> {
  const tree = buildTextTree(text);
  const root = tree.roots.find((n) => n.title === 'Applications');
  if (!root) return failed('no "Applications:" header in system_profiler SPApplicationsDataType output', tree.problems);
  const apps = root.children.filter((n) => n.title).map((n): ApplicationEntry => {
    const signedBy = splitSigners(n.props.get('Signed by') ?? '');
    return {
      name: n.title!,
      version: n.props.get('Version') ?? null,
      location: n.props.get('Location') ?? null,
      signedBy,
      teamId: /\(([A-Z0-9]{10})\)$/.exec(signedBy[0] ?? '')?.[1] ?? null,
      obtainedFrom: n.props.get('Obtained from') ?? null,
      lastModified: n.props.get('Last Modified') ?? null,
    };
  });
  return parsed(apps, tree.problems);
}

/** The applications that are a Zoom client bundle (location ends in /zoom.us.app), in listing order. */
export const zoomApplications = (apps: ApplicationEntry[]): ApplicationEntry[] => apps.filter((a) => /\/zoom\.us\.app$/.test(a.location ?? ''));
