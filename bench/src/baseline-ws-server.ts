// Child process: the bare ws server of the transport baseline (bench/src/baseline-ws.ts).
import { startBareServer } from './baseline-ws.js';
import { serve } from './ipc.js';

let server: Awaited<ReturnType<typeof startBareServer>> | null = null;
serve({
  listen: async () => {
    server = await startBareServer();
    return server.port;
  },
  stop: async () => server?.close(),
});
