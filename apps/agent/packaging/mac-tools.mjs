// The macOS programs the packaging runs on a Mac, with argument arrays (never a shell).
import { execFile } from 'node:child_process';
import { parseDesignatedRequirement } from './codesign.mjs';

/**
 * Runs `program` with `args`; resolves its stdout and stderr whatever its exit status, or
 * rejects when it cannot start (ENOENT: not a Mac or no Xcode command line tools).
 * @param {string} program
 * @param {string[]} args
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(program, args) {
  return new Promise((resolve, reject) => {
    execFile(program, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = /** @type {{ code?: unknown } | null} */ (error)?.code;
      if (typeof code === 'string') reject(new Error(`cannot run ${program}: ${code}`));
      else resolve({ code: typeof code === 'number' ? code : error ? 1 : 0, stdout, stderr });
    });
  });
}

/**
 * The designated requirement of `file`, read with `/usr/bin/codesign -d -r - <file>`.
 * @param {string} file
 * @returns {Promise<{ ok: true, value: string } | { ok: false, error: string }>}
 */
export async function readCodeRequirement(file) {
  const r = await run('/usr/bin/codesign', ['-d', '-r', '-', file]);
  return parseDesignatedRequirement(`${r.stderr}\n${r.stdout}`);
}

/**
 * `node --version` of the binary to ship (on a Mac it can run): e.g. "v22.12.0"; an error when it
 * does not run or is older than the agent's floor, 20.19.
 * @param {string} node
 * @returns {Promise<{ ok: true, value: string } | { ok: false, error: string }>}
 */
export async function checkNodeVersion(node) {
  const r = await run(node, ['--version']);
  const m = /^v(\d+)\.(\d+)\.\d+/.exec(r.stdout.trim());
  if (r.code !== 0 || m === null) return { ok: false, error: `${node} --version failed: ${(r.stderr || r.stdout).trim()}` };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 20 || (major === 20 && minor < 19)) return { ok: false, error: `${node} is ${m[0]}: the agent needs Node 20.19 or later (22 or 24 LTS from nodejs.org)` };
  return { ok: true, value: m[0] };
}
