import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentBundle } from '@fleetmedic/agent/testing/agent-bundle';

/** Repository root (this file is tests/support/agents.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RECORDED_MACS = path.join(REPO_ROOT, 'recorded-macs');

/** A recorded Mac's scenario.json: what the diagnosis must find on it. */
export function scenarioOf(mac: string): { summary: string; expectedFindings: string[] } {
  return JSON.parse(readFileSync(path.join(RECORDED_MACS, mac, 'scenario.json'), 'utf8'));
}

/** A recorded Mac's host.json (identity the agent reports). */
export function hostOf(mac: string): { hostname: string; serialNumber: string | null } {
  return JSON.parse(readFileSync(path.join(RECORDED_MACS, mac, 'host.json'), 'utf8'));
}

/** A real agent process (`pnpm agent run`) serving one recorded Mac. */
export interface AgentProcess {
  mac: string;
  stateDir: string;
  child: ChildProcess;
  /** stderr so far (pino JSON lines), for failure messages */
  logs(): string;
  /** SIGTERM (a clean stop), SIGKILL after 5 s */
  stop(): Promise<void>;
  /** SIGKILL now: the agent dies wherever it is, as in a crash or power loss */
  kill(): Promise<void>;
}

/**
 * Starts `agent run --replay recorded-macs/<mac>` (or `--replay <mac>` when `mac` is an absolute
 * path) against `serverUrl` in its own process and state folder. The process is node itself
 * running the agent as it ships (agentBundle(), no wrapper process), so `kill()` kills the agent. The schedule is yearly so
 * that only the start-up report and command re-collects happen during a test.
 */
export function startAgent(mac: string, serverUrl: string, enrollSecret: string, stateDir?: string): AgentProcess {
  const dir = stateDir ?? mkdtempSync(path.join(tmpdir(), `fm-agent-${path.basename(mac)}-`));
  const child = spawn(
    process.execPath,
    [
      agentBundle(), 'run',
      '--server', serverUrl,
      '--enroll-secret', enrollSecret,
      '--replay', path.resolve(RECORDED_MACS, mac),
      '--state-dir', dir,
      '--schedule', '0 0 1 1 *',
      '--jitter', '0',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, FLEETMEDIC_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    mac,
    stateDir: dir,
    child,
    logs: () => stderr,
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      await exited;
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `probe` every 200 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
