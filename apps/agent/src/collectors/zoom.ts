import { parseZoomInfoPlist, zoomNotInstalled } from '@fleetmedic/macos';
import type { Sections } from '@fleetmedic/protocol';
import type { CommandRunner } from '../runner/types.js';
import { unavailable, withData } from './section.js';

/**
 * Zoom installation from `<appPath>/Contents/Info.plist` (XML or binary plist). No app folder
 * means not installed (ok, installed: false); an app folder whose Info.plist cannot be read is
 * unavailable, never "not installed".
 */
export async function collectZoom(runner: CommandRunner, appPath: string): Promise<Sections['zoom']> {
  const plistPath = `${appPath}/Contents/Info.plist`;
  const source = plistPath;
  const file = await runner.readFile(plistPath);
  if (!file.ok) {
    if (file.kind === 'not-found' && !(await runner.exists(appPath))) return withData([source], zoomNotInstalled(appPath));
    return unavailable([source], `${plistPath}: ${file.kind === 'not-found' ? 'missing although the app folder exists' : file.reason}`);
  }
  const p = parseZoomInfoPlist(file.data, appPath);
  if (!p.ok) return unavailable([source], p.error, p.problems);
  return withData([source], p.value, p.problems);
}
