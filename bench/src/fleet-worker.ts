// A fleet process: runs `Fleet` on the parent's orders (bench/src/ipc.ts).
import { Fleet, type FleetOptions } from './fleet.js';
import { serve } from './ipc.js';

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
  stop: async () => {
    await fleet?.stop();
  },
});
