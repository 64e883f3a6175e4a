import type { FastifyPluginAsync } from 'fastify';
import type { CommandService } from './service.js';

/**
 * Runs CommandService.expireOverdue every `intervalSeconds` (and once at start). The update is
 * idempotent, so several instances running it at once is harmless. Stopped in onClose.
 */
export const expiryJobPlugin: FastifyPluginAsync<{ commands: CommandService; intervalSeconds: number }> = async (app, opts) => {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= opts.commands.expireOverdue()
      .then((n) => {
        if (n.expired || n.timedOut) app.log.info(n, 'commands expired');
      })
      .catch((err) => app.log.error({ err }, 'command expiry failed'))
      .finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(sweep, opts.intervalSeconds * 1000);
  timer.unref();
  app.addHook('onReady', async () => { await sweep(); });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
};
