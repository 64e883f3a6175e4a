// A fleet process: runs `Fleet` on the parent's orders (bench/src/ipc.ts).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Fleet, type FleetOptions } from './fleet.js';
import { serve } from './ipc.js';

/**
 * This process's event-loop delay: its simulated Macs share one loop, so a Mac here reads a
 * command, runs it and reads the server's answer only when the loop gets to it (a real Mac has its
 * own CPU). The bench prints it per phase beside the servers' own.
 */
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

let fleet: Fleet | null = null;
const need = () => {
  if (!fleet) throw new Error('fleet not started');
  return fleet;
};

serve({
  start: async (p: { options: FleetOptions; timeoutMs?: number }) => {
    fleet = new Fleet(p.options);
    await fleet.start(p.timeoutMs);
    return fleet.stats();
  },
  stats: () => need().stats(),
  configure: (p: { intervalSeconds?: number; changeProbability?: number }) => need().configure(p),
  burst: async (p: { change?: boolean }) => {
    await need().burst(p.change ?? false);
    return need().stats();
  },
  denyCamera: (p: { timeoutMs?: number }) => need().denyCamera(p?.timeoutMs),
  /** Timings of the commands with these ids (those this process received). */
  commands: (p: { ids: string[] }) => p.ids.flatMap((id) => {
    const t = need().commands.get(id);
    return t ? [{ id, ...t }] : [];
  }),
  /** The event-loop delay p99 and max (ms) since the previous call. */
  loopDelay: () => {
    const d = { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
    loop.reset();
    return d;
  },
  stop: async () => {
    await fleet?.stop();
  },
});
