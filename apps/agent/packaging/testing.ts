// Helpers of the packaging tests: the packaging command as the admin runs it, on a fake node.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGING_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The exit status and output of one program run (never rejects). */
export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs `program` with `args` and `env` added to this process's environment. */
export function runProgram(program: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(program, args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `node packaging/package.mjs ...args`, as `pnpm run package -- ...args` runs it. */
export const runPackage = (...args: string[]) => runProgram(process.execPath, [path.join(PACKAGING_DIR, 'package.mjs'), ...args]);

/**
 * Writes the smallest file that passes for nodejs.org's darwin-arm64 node: a 64-bit little-endian
 * Mach-O header (magic cf fa ed fe, cputype arm64, filetype MH_EXECUTE), then a few bytes. Node's
 * darwin binaries cannot run here, and the packaging only copies them.
 */
export async function writeFakeMacNode(file: string, filetype = 2): Promise<Buffer> {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32LE(0xfeedfacf, 0);
  bytes.writeUInt32LE(0x0100000c, 4);
  bytes.writeUInt32LE(filetype, 12);
  bytes.write('fake node', 16);
  await writeFile(file, bytes);
  return bytes;
}
