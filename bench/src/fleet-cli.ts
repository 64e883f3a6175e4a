// pnpm bench:fleet --agents N [--duration S] [--server URL] [--enroll-secret S] [--interval S] [--processes P]
// N simulated Macs (the real agent daemon on recorded-Mac snapshots) against a running server.
import { Command } from 'commander';
import { positiveInt } from './args.js';
import { FleetProcesses } from './fleet-procs.js';
import { ensureOpenFiles } from './ulimit.js';

const int = positiveInt;
const program = new Command()
  .name('bench:fleet')
  .description('run N simulated Macs against a running FleetMedic server, print what they saw')
  .requiredOption('--agents <n>', 'simulated Macs', int)
  .option('--duration <s>', 'seconds to run once all are connected', int, 60)
  .option('--server <url>', 'FleetMedic server URL (127.0.0.1 only)', 'http://127.0.0.1:8080')
  .option('--enroll-secret <s>', 'enrollment secret (default: $FLEETMEDIC_ENROLL_SECRET)')
  .option('--interval <s>', 'each Mac reports every S seconds (jittered)', int, 60)
  .option('--change <p>', 'chance that a report carries a change (0-1)', Number, 0.02)
  .option('--processes <p>', 'simulator processes (default 1, 2 above 4,000 Macs)', int);
program.parse();
const o = program.opts<{ agents: number; duration: number; server: string; enrollSecret?: string; interval: number; change: number; processes?: number }>();

const host = new URL(o.server).hostname;
if (host !== '127.0.0.1' && host !== 'localhost') {
  console.error(`--server must be on 127.0.0.1 (got ${host}): the simulator only loads a local server`);
  process.exit(2);
}
const secret = o.enrollSecret ?? process.env.FLEETMEDIC_ENROLL_SECRET;
if (!secret) {
  console.error('an enrollment secret is needed: --enroll-secret or FLEETMEDIC_ENROLL_SECRET');
  process.exit(2);
}
ensureOpenFiles(o.agents / (o.processes ?? (o.agents > 4000 ? 2 : 1)) + 1000);

const started = Date.now();
const fleet = await FleetProcesses.start({
  agents: o.agents, processes: o.processes ?? (o.agents > 4000 ? 2 : 1), serverUrl: o.server, enrollSecret: secret,
  intervalSeconds: o.interval, changeProbability: o.change,
});
let s = await fleet.stats();
console.log(`${s.connected}/${o.agents} connected in ${((Date.now() - started) / 1000).toFixed(1)} s (${s.enrolled} enrolled)`);
const end = Date.now() + o.duration * 1000;
let lastAcked = s.acked;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, Math.min(5000, end - Date.now())));
  s = await fleet.stats();
  console.log(`connected ${s.connected}  reports ${s.reports} (whole ${s.fullReports}, delta ${s.deltaReports}, changed ${s.changedReports})  acked ${s.acked} (+${((s.acked - lastAcked) / 5).toFixed(0)}/s)  resyncs ${s.resyncs}  commands ${s.commandsReceived}`);
  lastAcked = s.acked;
}
await fleet.stop();
console.log('stopped');
process.exit(0);
