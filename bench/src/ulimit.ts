import { spawnSync } from 'node:child_process';
import { openFileLimits } from './proc.js';

/**
 * Makes sure this process may open `needed` files (sockets): when the soft limit is lower,
 * re-runs the same command under `bash -c 'ulimit -n <n>; exec ...'` with n up to the hard limit
 * (a process cannot raise its own limit from Node) and exits with its status. Children inherit it.
 */
export function ensureOpenFiles(needed: number): void {
  const { soft, hard } = openFileLimits();
  if (soft >= needed || process.env.FM_BENCH_REEXEC === '1') {
    if (soft < needed) console.warn(`open files limited to ${soft} (hard ${hard}); ${Math.ceil(needed)} wanted`);
    return;
  }
  const target = Math.min(Math.max(Math.ceil(needed), 65536), hard);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].map(quote).join(' ');
  const r = spawnSync('bash', ['-c', `ulimit -n ${target} && exec ${cmd}`], { stdio: 'inherit', env: { ...process.env, FM_BENCH_REEXEC: '1' } });
  process.exit(r.status ?? 1);
}
