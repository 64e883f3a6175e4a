import { parseCodesignDisplay, parseCodesignVerify, parseZoomInfoPlist } from '@fleetmedic/macos';
import { ZOOM_DATA_FOLDERS, type SectionOfName, type ZoomDataFolder, type ZoomInstall } from '@fleetmedic/protocol';
import { COMMANDS, codesignAt, userZoomAppPath } from '../runner/commands.js';
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
  const verify = await runSpec(runner, codesignAt(COMMANDS.codesignVerifyZoom, appPath, user));
  let signature: ZoomInstall['signature'] = null;
  // codesign --verify exits 1 or 3 for a signature it judged invalid: that is an answer, not a failure to run.
  if (verify.result.notInstalled || verify.result.exitCode === null) problems.push(verify.failure ?? `${verify.label}: did not finish`);
  else {
    const p = parseCodesignVerify(verify.result.stderr, verify.result.exitCode);
    if (p.ok) signature = p.value;
    else problems.push(`${verify.label}: ${p.error}`);
    problems.push(...p.problems.map((x) => `${verify.label}: ${x}`));
  }
  const display = await runSpec(runner, codesignAt(COMMANDS.codesignDisplayZoom, appPath, user));
  let signer: ZoomInstall['signer'] = null;
  if (display.result.notInstalled || display.result.exitCode === null) problems.push(display.failure ?? `${display.label}: did not finish`);
  else {
    const p = parseCodesignDisplay(display.result.stderr);
    if (p.ok) signer = p.value;
    else problems.push(`${display.label}: ${p.error}`);
    problems.push(...p.problems.map((x) => `${display.label}: ${x}`));
  }
  if (user === null) return { appPath, user, signature, signer, problems };
  const plist = await runner.readFile(`${appPath}/Contents/Info.plist`);
  const info = plist.ok ? parseZoomInfoPlist(plist.data, appPath) : null;
  if (!plist.ok) problems.push(`Contents/Info.plist: ${plist.reason}`);
  else if (!info!.ok) problems.push(info!.error);
  const facts = info?.ok ? info.value : null;
  return { appPath, user, bundleId: facts?.bundleId ?? null, version: facts?.version ?? null, signature, signer, problems };
}
