import { parseCodesignDisplay, parseCodesignVerify, parseZoomInfoPlist, type ParseResult } from '@fleetmedic/macos';
import { ZOOM_DATA_FOLDERS, type SectionOfName, type ZoomDataFolder, type ZoomInstall } from '@fleetmedic/protocol';
import { COMMANDS, codesignAt, userZoomAppPath, type CommandSpec } from '../runner/commands.js';
import type { CommandRunner } from '../runner/types.js';
import { listHomes } from './homes.js';
import { runSpec, withData } from './section.js';

/** Code-unit order: stable across runs without an ICU collator (see tcc.ts). */
const byName = ([a]: [string, string], [b]: [string, string]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every Zoom on the Mac and each user's Zoom data. Copies looked at: `zoomAppPath` (the policy's,
 * /Applications/zoom.us.app by default) and `<home>/Applications/zoom.us.app` of every home
 * (listHomes). For each copy present: `codesign --verify --deep --strict --verbose=2` and
 * `codesign -dvvv` (stderr, parsed by @fleetmedic/macos), and for users' copies their Info.plist
 * (the policy's copy's Info.plist is the zoom section). Data folders: ZOOM_DATA_FOLDERS of every
 * home, measured without following symlinks. What could not be read is null in the copy with a
 * problem (section `partial`), never a valid signature.
 */
export async function collectZoomInstalls(runner: CommandRunner, zoomAppPath: string): Promise<SectionOfName<'zoomInstalls'>> {
  const homes = Object.entries(await listHomes(runner)).sort(byName);
  const targets = [{ appPath: zoomAppPath, user: null as string | null }, ...homes.map(([user, home]) => ({ appPath: userZoomAppPath(home), user }))];
  const installs: ZoomInstall[] = [];
  for (const t of targets) {
    if (await runner.exists(t.appPath)) installs.push(await readInstall(runner, t.appPath, t.user));
  }
  const dataFolders: ZoomDataFolder[] = [];
  for (const [user, home] of homes) {
    for (const folder of ZOOM_DATA_FOLDERS) {
      const path = `${home.replace(/\/+$/, '')}/${folder.relative}`;
      const m = await runner.measureTree(path);
      dataFolders.push({ user, kind: folder.kind, path, exists: m.exists, sizeBytes: m.sizeBytes, modifiedAt: m.modifiedAt, ...(m.problem ? { problem: m.problem } : {}) });
    }
  }
  const problems = [
    ...installs.flatMap((i) => i.problems.map((p) => `${i.appPath}: ${p}`)),
    ...dataFolders.flatMap((d) => (d.problem ? [d.problem] : [])),
  ];
  return withData(['codesign --verify --deep --strict --verbose=2', 'codesign -dvvv', 'Info.plist', 'Zoom data folders'], { installs, dataFolders }, problems);
}

async function readInstall(runner: CommandRunner, appPath: string, user: string | null): Promise<ZoomInstall> {
  const problems: string[] = [];
  const signature = await codesignAnswer(runner, codesignAt(COMMANDS.codesignVerifyZoom, appPath, user), parseCodesignVerify, problems);
  const signer = await codesignAnswer(runner, codesignAt(COMMANDS.codesignDisplayZoom, appPath, user), (stderr) => parseCodesignDisplay(stderr), problems);
  if (user === null) return { appPath, user, signature, signer, problems };
  const plist = await runner.readFile(`${appPath}/Contents/Info.plist`);
  const info = plist.ok ? parseZoomInfoPlist(plist.data, appPath) : null;
  if (!plist.ok) problems.push(`Contents/Info.plist: ${plist.reason}`);
  else if (!info!.ok) problems.push(info!.error);
  const facts = info?.ok ? info.value : null;
  return { appPath, user, bundleId: facts?.bundleId ?? null, version: facts?.version ?? null, signature, signer, problems };
}

/**
 * Runs one codesign spec and parses its stderr with its exit status; null (with the reason in
 * `problems`) when it did not run or finish or its output was not understood. A non-zero exit is
 * an answer here: `--verify` exits 1 or 3 for a signature it judged invalid.
 */
async function codesignAnswer<T>(runner: CommandRunner, spec: CommandSpec, parse: (stderr: string, exitCode: number) => ParseResult<T>, problems: string[]): Promise<T | null> {
  const { label, result, failure } = await runSpec(runner, spec);
  if (result.notInstalled || result.exitCode === null) {
    problems.push(failure ?? `${label}: did not finish`);
    return null;
  }
  const p = parse(result.stderr, result.exitCode);
  problems.push(...(p.ok ? [] : [`${label}: ${p.error}`]), ...p.problems.map((x) => `${label}: ${x}`));
  return p.ok ? p.value : null;
}
