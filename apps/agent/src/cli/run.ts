import os from 'node:os';
import { DEFAULT_REMEDIATION_SCOPE, scopeProblems, type RemediationScope } from '@fleetmedic/protocol';
import path from 'node:path';
import { AgentDaemon, DEFAULT_SCHEDULE } from '../daemon/daemon.js';
import { createLogger } from '../log.js';
import { resolveEnrollSecret } from './enroll-secret.js';
import { openRunner } from './open-runner.js';

/** `run`'s options as commander parses them (strings); one of the two secret sources is needed. */
export interface RunCommandOptions {
  server: string;
  enrollSecret?: string;
  enrollSecretFile?: string;
  replay?: string;
  stateDir?: string;
  schedule?: string;
  jitter?: string;
  tccResetServices?: string;
  tccResetClients?: string;
}

/**
 * The remediation scope from `--tcc-reset-services` / `--tcc-reset-clients` (comma-separated)
 * over DEFAULT_REMEDIATION_SCOPE. Throws one Error listing every bad name (scopeProblems).
 */
export function scopeFromOptions(opts: Pick<RunCommandOptions, 'tccResetServices' | 'tccResetClients'>): RemediationScope {
  const list = (value: string | undefined, fallback: readonly string[]) =>
    value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const scope: RemediationScope = {
    tccResetServices: list(opts.tccResetServices, DEFAULT_REMEDIATION_SCOPE.tccResetServices),
    tccResetClients: list(opts.tccResetClients, DEFAULT_REMEDIATION_SCOPE.tccResetClients),
  };
  const problems = scopeProblems(scope);
  if (problems.length > 0) throw new Error(`invalid remediation scope: ${problems.join('; ')}`);
  return scope;
}

/** Default state folder: /Library/Application Support/FleetMedic on a Mac (root daemon), else ~/.fleetmedic-agent. */
export function defaultStateDir(): string {
  return process.platform === 'darwin' && process.getuid?.() === 0
    ? '/Library/Application Support/FleetMedic'
    : path.join(os.homedir(), '.fleetmedic-agent');
}

/**
 * `run --server <url> --enroll-secret-file <path> ...`: the agent service, until SIGINT/SIGTERM.
 * Throws (before anything starts) on a bad URL, schedule or jitter, a missing secret, or a
 * secret file it refuses (EnrollSecretFileError, exit 78).
 */
export async function runCommand(opts: RunCommandOptions): Promise<void> {
  const logger = createLogger();
  const stateDir = path.resolve(opts.stateDir ?? defaultStateDir());
  const jitterSeconds = opts.jitter === undefined ? 60 : Number(opts.jitter);
  let url: URL;
  try {
    url = new URL(opts.server);
  } catch {
    throw new Error(`--server "${opts.server}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server must be http:// or https://, got ${url.protocol}`);
  const remediationScope = scopeFromOptions(opts);
  const enrollSecret = await resolveEnrollSecret(opts);
  // Replay remediation writes go beside the agent's own state, never into the recording.
  const runner = await openRunner(opts.replay, opts.replay ? path.join(stateDir, 'replay') : undefined);
  const daemon = await AgentDaemon.start({
    serverUrl: url.href,
    enrollSecret,
    stateDir,
    runner,
    logger,
    schedule: opts.schedule ?? DEFAULT_SCHEDULE,
    jitterSeconds,
    remediationScope,
  });
  logger.info({ stateDir, schedule: opts.schedule ?? DEFAULT_SCHEDULE, jitterSeconds, remediationScope }, 'agent running');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      void daemon.stop().finally(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
