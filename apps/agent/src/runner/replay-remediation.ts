import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseListApps } from '@fleetmedic/macos';
import { TCC_SYSTEM_DB, tccUserDb } from './commands.js';
import type { ReplayRunner } from './replay.js';
import type { RunResult } from './types.js';

/** What the Mac would have done to itself, for a replayed remediation. */
type Simulated = Omit<RunResult, 'durationMs'>;

/** socketfilterfw flags that change the firewall's application list. */
export const FIREWALL_WRITE_FLAGS = new Set(['--add', '--remove', '--blockapp', '--unblockapp']);

/**
 * A remedy with no recorded answer: the spawn fails as for a missing program, marked not recorded,
 * and nothing changes (docs/recorded-mac.md). Inventing the tool's answer would report a fix nobody has seen work.
 */
const notRecorded = (name: string): Simulated => ({
  stdout: '',
  stderr: `spawn: no recorded answer cmd/${name}.out in this recorded Mac (ENOENT)\n`,
  exitCode: null,
  notInstalled: true,
  notRecorded: `no cmd/${name}.out`,
  note: `cmd/${name} not recorded`,
});

/**
 * `tccutil reset <Service> [bundle]`: answers from `cmd/tccutil-reset.*` (not recorded: fails,
 * nothing changes), and on success deletes the matching `access` rows from the
 * copied TCC.db that tccd would change: the user's database when run in a user's context
 * (`launchctl asuser`), else the system database.
 */
export async function simulateTccutil(r: ReplayRunner, args: string[], user: string | null): Promise<Simulated> {
  const [verb, service, bundleId, ...extra] = args;
  if (verb !== 'reset' || !service || extra.length > 0) {
    return { stdout: '', stderr: 'tccutil: Usage: tccutil reset SERVICE [BUNDLE_ID]\n', exitCode: 64, notInstalled: false };
  }
  const recorded = await r.recordedOutput('tccutil-reset');
  if (!recorded) return notRecorded('tccutil-reset');
  // Recorded answers are real captures for other services and apps: they name the requested ones here.
  const out = { ...recorded, stdout: renameTccutilLines(recorded.stdout, service, bundleId), stderr: recorded.stderr.replace(/(No such bundle identifier ")[^"]*(")/g, `$1${bundleId ?? ''}$2`) };
  if (out.exitCode !== 0) return { ...out, notInstalled: false };

  const macDb = user ? tccUserDb(r.recorded.homes[user] ?? `/Users/${user}`) : TCC_SYSTEM_DB;
  const root = await r.state.ensureFsCopy();
  const localDb = r.toLocal(macDb, root);
  if (!(await r.exists(macDb))) return { ...out, notInstalled: false, note: `no ${macDb} in the recording; nothing deleted` };
  // auth_reason 6 (MDM Policy) rows come back from the profile: tccutil cannot clear them.
  const where = [
    bundleId ? `client = ${sqlText(bundleId)}` : null,
    service === 'All' ? null : `service = ${sqlText(`kTCCService${service}`)}`,
    'auth_reason IS NOT 6',
  ].filter(Boolean);
  const del = await r.sqliteWrite(localDb, `DELETE FROM access WHERE ${where.join(' AND ')};`);
  if (del.exitCode !== 0) return { ...out, notInstalled: false, note: `replay could not update ${macDb}: ${del.stderr.trim()}` };
  return { ...out, notInstalled: false };
}

/**
 * `socketfilterfw --add|--remove|--blockapp|--unblockapp <path>`: answers from
 * `cmd/socketfilterfw-<flag>.*` (not recorded: fails, nothing changes), and rewrites
 * the state's copy of `socketfilterfw-listapps.out` (macOS 15+ layout) so a re-collect sees it.
 */
export async function simulateFirewallWrite(r: ReplayRunner, args: string[]): Promise<Simulated> {
  const [flag = '', appPath, ...extra] = args;
  if (!appPath || extra.length > 0) return { stdout: '', stderr: `socketfilterfw: ${flag} needs one path\n`, exitCode: 1, notInstalled: false };
  const name = `socketfilterfw-${flag.replace(/^--/, '')}`;
  const out = await r.recordedOutput(name);
  if (!out) return notRecorded(name);
  if (out.exitCode !== 0) return { ...out, notInstalled: false };

  const current = await r.recordedOutput('socketfilterfw-listapps');
  let apps: { path: string; allow: boolean }[] = [];
  if (current && current.exitCode === 0) {
    const parsed = parseListApps(current.stdout);
    if (!parsed.ok) return { ...out, notInstalled: false, note: `replay could not read the recorded listapps: ${parsed.error}` };
    apps = parsed.value.apps.map((a) => ({ path: a.path ?? a.name ?? '', allow: a.allowIncoming !== false }));
  }
  const index = apps.findIndex((a) => a.path === appPath);
  if (flag === '--remove') {
    if (index >= 0) apps.splice(index, 1);
  } else {
    const allow = flag !== '--blockapp';
    if (index >= 0) apps[index] = { path: appPath, allow: flag === '--add' ? apps[index]!.allow : allow };
    else apps.push({ path: appPath, allow });
  }
  const dir = await r.state.ensureDir();
  await writeFile(path.join(dir, 'cmd', 'socketfilterfw-listapps.out'), renderListApps(apps));
  return { ...out, notInstalled: false };
}

/** tccutil's success lines, naming the requested service and bundle (one line per recorded line: one per registered copy). */
function renameTccutilLines(stdout: string, service: string, bundleId: string | undefined): string {
  return stdout.replace(/^Successfully reset \S+(?: approval status for .+)?$/gm, bundleId ? `Successfully reset ${service} approval status for ${bundleId}` : `Successfully reset ${service}`);
}

/** `socketfilterfw --listapps` as macOS 15+ prints it. */
function renderListApps(apps: { path: string; allow: boolean }[]): string {
  const rows = apps.map((a, i) => `${i + 1} : ${a.path}\n             (${a.allow ? 'Allow' : 'Block'} incoming connections)\n`);
  return `Total number of apps = ${apps.length}\n${rows.join('')}`;
}

/** An SQL string literal (values are already allow-listed; quoting keeps it correct regardless). */
function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
