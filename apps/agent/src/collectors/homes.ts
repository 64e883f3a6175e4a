import type { CommandRunner } from '../runner/types.js';

/** Folders in /Users that are not people's homes. */
const NOT_HOMES = new Set(['Shared', 'Guest', 'Deleted Users']);

/**
 * Users whose TCC.db to read: user name -> home folder. A recorded Mac names them in
 * host.json `homes`; on a real Mac, every folder in /Users holding a Library folder
 * (dscl would need parsing; the folder test is what TCC itself relies on).
 */
export async function listHomes(runner: CommandRunner): Promise<Record<string, string>> {
  if (runner.recorded) return runner.recorded.homes;
  const homes: Record<string, string> = {};
  for (const name of await runner.listDir('/Users')) {
    if (name.startsWith('.') || NOT_HOMES.has(name)) continue;
    if (await runner.exists(`/Users/${name}/Library`)) homes[name] = `/Users/${name}`;
  }
  return homes;
}
