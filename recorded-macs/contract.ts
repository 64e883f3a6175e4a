/**
 * The names and shapes a recorded Mac folder may hold (docs/recorded-mac.md). Shared by the
 * build, the README and the contract test; the agent's replay runner implements the same list.
 */
import { SECTION_NAMES } from '../packages/protocol/src/sections/names.js';
import { SECTION_REGISTRY } from '../packages/protocol/src/sections/registry.js';
import { COLUMNS_13, COLUMNS_17, COLUMNS_19 } from './tcc-sql.js';

/** Commands behind the host facts (not a section): `stat -f %Su /dev/console`, and `stat -f %u /dev/console` (optional: launchctl asuser needs it). */
export const HOST_COMMANDS = ['console-user', 'console-uid'] as const;

/**
 * Commands the agent collects with, as `cmd/<name>.out|.err|.code`: each section's
 * `recorded.commands` in the section registry, and the host facts' commands.
 */
export const COLLECT_COMMANDS: readonly string[] = [
  ...new Set(SECTION_NAMES.flatMap((n) => SECTION_REGISTRY[n].recorded.commands)),
  ...HOST_COMMANDS,
];

/** Remediation answers: what the real tool printed, replayed by the runner (state kept outside the Mac folder). */
export const REMEDY_COMMANDS = [
  'tccutil-reset', // tccutil reset <Service> <bundle id>
  'socketfilterfw-add', // socketfilterfw --add <app path>
  'socketfilterfw-unblockapp', // socketfilterfw --unblockapp <app path>
  'socketfilterfw-blockapp', // socketfilterfw --blockapp <app path>
] as const;

export const KNOWN_COMMANDS: readonly string[] = [...COLLECT_COMMANDS, ...REMEDY_COMMANDS];

/** `cmd/` file name: command name, the user whose own copy of Zoom it ran on (`~<user>`, codesign only), and which stream. */
export const CMD_FILE = /^(?<name>[^~]+)(?:~(?<user>[^~]+))?\.(?<ext>out|err|code)$/;

/** Commands also run on each user's own ~/Applications/zoom.us.app: answered from `cmd/<name>~<user>.*`. */
export const PER_USER_COMMANDS: readonly string[] = ['codesign-verify-zoom', 'codesign-dvvv-zoom'];

/** macOS major version of a `sw_vers` output (any tab layout); null when there is no ProductVersion line. */
export function macosMajor(swVers: string): number | null {
  const m = /^ProductVersion:\s*(\d+)(?:\.(\d+))?/m.exec(swVers);
  if (!m) return null;
  const major = Number(m[1]);
  return major === 10 ? Number(`10.${m[2] ?? 0}`) : major;
}

/** Column layout of the `access` table on a macOS version (11–13: 13, 14–26: 17, 27: 19); null where no recorded Mac runs it. */
export function accessColumnsFor(major: number): readonly string[] | null {
  if (major >= 11 && major <= 13) return COLUMNS_13;
  if (major >= 14 && major <= 26) return COLUMNS_17;
  if (major >= 27) return COLUMNS_19;
  return null;
}

/** sha1[:10] fingerprints of `CREATE TABLE access` accepted per generation (fixtures/tcc/schema-access-by-version-verified.md). */
export function accessDigestsFor(major: number): string[] {
  if (major >= 11 && major <= 13) return ['3d1c2a0e97', 'cef70648de'];
  if (major >= 14 && major <= 26) return ['e3a2181c14', 'f773496775'];
  return [];
}
