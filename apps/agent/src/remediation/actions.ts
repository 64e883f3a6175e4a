import { parseSocketfilterfwWrite, parseTccutilResult } from '@fleetmedic/macos';
import { userHome, type Action } from '@fleetmedic/protocol';
import { listHomes } from '../collectors/homes.js';
import { findConsoleUser } from '../collectors/host.js';
import { runSpec } from '../collectors/section.js';
import { COMMANDS, PROGRAMS } from '../runner/commands.js';
import { notRunWords, type CommandRunner, type RunResult } from '../runner/types.js';

/** One step of an action: a program run, or a folder removed without following symlinks. */
export type Step = ProgramStep | RemovalStep;

/** Removes one allow-listed folder through CommandRunner.removeTree (zoom.clear-caches). */
export interface RemovalStep {
  remove: string;
}

/** One program run of an action, and how to read its outcome. */
export interface ProgramStep {
  argv: [string, ...string[]];
  asUser?: string;
  /** What the step acts on, put before its reason when an action has several alike ("system TCC.db", "alice's TCC.db"). */
  scope?: string;
  /** ok: the step did what it should; reason: in words, from the macos parsers. */
  judge(r: RunResult): { ok: boolean; reason: string };
}

/** The steps of an action, or why it cannot run here (e.g. no console user). */
export type Plan = { steps: Step[] } | { cannot: string };

/** TCC services kept in the user's TCC.db: tccutil must also run in the console user's context. */
const USER_SERVICES = new Set(['Camera', 'Microphone', 'All']);

/**
 * The argument arrays an action runs (never shell text):
 * - tcc.reset: `/usr/bin/tccutil reset <Service> <bundleId>` (scope "system TCC.db"); for
 *   Camera/Microphone/All also `/bin/launchctl asuser <uid> /usr/bin/sudo -u <user> /usr/bin/tccutil
 *   reset ...` for the console user (scope "<user>'s TCC.db").
 * - firewall.allow: `socketfilterfw --add <path>` then `--unblockapp <path>`; firewall.block: `--blockapp <path>`.
 * - zoom.quit: `/usr/bin/pkill -x zoom.us`. agent.collect: no program.
 * - zoom.clear-caches: `pkill -x zoom.us`, then each named folder removed (symlinks never followed);
 *   cannot run when the user has no home at /Users/<user> here (the paths are checked against the
 *   allow-list before: refuseParameters).
 */
export async function planAction(action: Action, runner: CommandRunner): Promise<Plan> {
  switch (action.type) {
    case 'tcc.reset': {
      const { service, bundleId } = action.params as { service: string; bundleId: string };
      const reset: [string, ...string[]] = [PROGRAMS.tccutil, 'reset', service, bundleId];
      // Both runs print the same tccutil line: the scope tells the two results apart.
      const steps: Step[] = [{ argv: reset, scope: 'system TCC.db', judge: judgeTccutil }];
      if (USER_SERVICES.has(service)) {
        const user = await findConsoleUser(runner);
        if (!user) return { cannot: `no console user: ${service} permissions live in the logged-in user's TCC.db, and nobody is logged in` };
        const uid = await runSpec(runner, COMMANDS.consoleUid);
        const uidText = uid.result.stdout.trim();
        if (uid.failure || !/^\d+$/.test(uidText)) return { cannot: `could not learn the console user's uid: ${uid.failure ?? `unexpected output "${uidText}"`}` };
        steps.push({ argv: [PROGRAMS.launchctl, 'asuser', uidText, PROGRAMS.sudo, '-u', user, ...reset], asUser: user, scope: `${user}'s TCC.db`, judge: judgeTccutil });
      }
      return { steps };
    }
    case 'firewall.allow': {
      const { appPath } = action.params;
      return { steps: [firewallStep('--add', appPath), firewallStep('--unblockapp', appPath)] };
    }
    case 'firewall.block':
      return { steps: [firewallStep('--blockapp', action.params.appPath)] };
    case 'zoom.quit':
      return { steps: [{ argv: [PROGRAMS.pkill, '-x', 'zoom.us'], judge: judgePkill }] };
    case 'agent.collect':
      return { steps: [] };
    case 'zoom.clear-caches': {
      const { user, paths } = action.params;
      const home = (await listHomes(runner))[user];
      if (home !== userHome(user)) return { cannot: `${user} has no home folder at ${userHome(user)} on this Mac${home ? ` (it is ${home})` : ''}: nothing removed` };
      return { steps: [{ argv: [PROGRAMS.pkill, '-x', 'zoom.us'], judge: judgePkill }, ...paths.map((p) => ({ remove: p }))] };
    }
  }
}

function firewallStep(flag: string, appPath: string): Step {
  return {
    argv: [PROGRAMS.socketfilterfw, flag, appPath],
    judge: (r) => {
      if (r.notInstalled) return { ok: false, reason: `socketfilterfw: ${notRunWords(r)}` };
      const w = parseSocketfilterfwWrite(r.stdout, r.stderr, r.exitCode ?? -1);
      return { ok: w.outcome === 'applied', reason: w.reason };
    },
  };
}

function judgeTccutil(r: RunResult): { ok: boolean; reason: string } {
  if (r.notInstalled) return { ok: false, reason: `tccutil: ${notRunWords(r)}` };
  const t = parseTccutilResult(r.stdout, r.stderr, r.exitCode ?? -1);
  return { ok: t.outcome === 'reset', reason: t.reason };
}

/** pkill: 0 signalled, 1 nothing matched (Zoom was not running: the goal holds), else an error. */
function judgePkill(r: RunResult): { ok: boolean; reason: string } {
  if (r.notInstalled) return { ok: false, reason: `pkill: ${notRunWords(r)}` };
  if (r.exitCode === 0) return { ok: true, reason: 'zoom.us was told to quit' };
  if (r.exitCode === 1) return { ok: true, reason: 'zoom.us was not running' };
  return { ok: false, reason: `pkill exited ${r.exitCode ?? r.note ?? 'abnormally'}: ${r.stderr.trim()}` };
}
