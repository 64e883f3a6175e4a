import type { FastifyBaseLogger } from 'fastify';

/** A signal this soon after shutdown began is a duplicate (tsx and pnpm pass one Ctrl-C on twice), ms. */
export const DUPLICATE_SIGNAL_MS = 5_000;

export interface ShutdownSignalOptions {
  /** Runs the shutdown once (further calls return the same promise). */
  stop: () => Promise<void>;
  /** What the shutdown is doing now (e.g. "closing the database"), named in the deadline's error. */
  waitingFor: () => string | undefined;
  log: FastifyBaseLogger;
  /** Exit 1 if the shutdown has not finished this long after the first signal, s. */
  timeoutSeconds: number;
  /** default process.exit */
  exit?: (code: number) => void;
}

/**
 * SIGINT/SIGTERM start `stop()`, then exit 0 (1 if it failed). While it runs, a signal within
 * DUPLICATE_SIGNAL_MS of the first is ignored (so a doubled Ctrl-C cannot kill the server before
 * it marks its Macs offline); a later one exits 1 at once, and so does the deadline
 * (`timeoutSeconds`), logged with what the shutdown was waiting for: a hung shutdown (e.g. a row
 * lock held by another session) must not need SIGKILL.
 */
export function handleShutdownSignals(options: ShutdownSignalOptions): void {
  const { stop, waitingFor, log, timeoutSeconds } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let startedAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (startedAt !== undefined) {
      const sinceMs = Date.now() - startedAt;
      if (sinceMs < DUPLICATE_SIGNAL_MS) {
        log.info({ signal }, 'already shutting down');
        return;
      }
      log.error({ signal, sinceMs, waitingFor: waitingFor() }, 'second signal: exiting without finishing shutdown');
      exit(1);
      return;
    }
    startedAt = Date.now();
    log.info({ signal, timeoutSeconds }, 'shutting down');
    // Not unref'd: a shutdown stuck on a promise with nothing else pending must still end in exit 1.
    const deadline = setTimeout(() => {
      log.error({ timeoutSeconds, waitingFor: waitingFor() }, `shutdown did not finish within ${timeoutSeconds} s: exiting without finishing it`);
      exit(1);
    }, timeoutSeconds * 1000);
    stop().then(() => {
      clearTimeout(deadline);
      exit(0);
    }, (err: unknown) => {
      clearTimeout(deadline);
      log.error({ err }, 'shutdown failed');
      exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
