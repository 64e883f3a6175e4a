import type { FastifyPluginAsync } from 'fastify';
import type { NotifyBus } from './notify-bus.js';
import type { ClusterRegistry } from './registry.js';

/**
 * Starts the notify bus (LISTEN on every channel) while the app loads, so it listens before the
 * gateway accepts sockets; closes it when the app closes. Start fails (and so does buildApp)
 * when the LISTEN connection cannot be opened.
 */
export const clusterPlugin: FastifyPluginAsync<{ bus: NotifyBus; registry: ClusterRegistry }> = async (app, { bus, registry }) => {
  await bus.start();
  app.addHook('onClose', async () => {
    registry.stopAnnouncing();
    await bus.close();
  });
};
