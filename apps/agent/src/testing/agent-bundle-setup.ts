import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const BUILD_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/build.mjs');

/**
 * vitest globalSetup: builds the agent as it ships (scripts/build.mjs, ~1 s) once per run, and
 * again before each rerun in watch mode, and provides the bundle's path (agentBundle()) to the
 * tests that start agent processes. On plain node an agent starts in ~0.15 s; through tsx each
 * compiled the sources again, ~0.8 s, and the dashboard's browser test starts 25 of them at once.
 * Throws the build's exit code and stderr when it fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'fm-agent-bundle-'));
  const build = () => promisify(execFile)(process.execPath, [BUILD_SCRIPT, '--outdir', outdir]);
  await build();
  project.onTestsRerun(async () => void (await build()));
  project.provide('agentBundle', path.join(outdir, 'agent.mjs'));
  return () => rm(outdir, { recursive: true, force: true });
}
