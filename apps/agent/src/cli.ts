import { Command, Option } from 'commander';
import type { RunCommandOptions } from './cli/run.js';
import { AGENT_VERSION } from './version.js';

// Each command's module loads when it runs: the resident `run` never loads the diagnosis rules
// or the text tables that only `doctor` and `collect` print.

/**
 * FleetMedic agent CLI. stdout carries only the command's output (pure JSON with --json);
 * logs and errors go to stderr. Exit 1 with a one-line reason on any error; 78 (EX_CONFIG) for an
 * enrollment secret file it refuses.
 */
const program = new Command()
  .name('fleetmedic-agent')
  .description('Collects the facts behind Zoom camera/microphone failures on a Mac, diagnoses them, and runs typed remedies.')
  .version(AGENT_VERSION);

program
  .command('collect')
  .description('collect one snapshot and print it')
  .option('--replay <dir>', 'serve a recorded Mac folder instead of this machine')
  .option('--json', 'print the snapshot as JSON')
  .action(async (opts: { replay?: string; json?: boolean }) => (await import('./cli/collect.js')).collectCommand(opts));

program
  .command('doctor')
  .description('collect, diagnose and print the findings')
  .option('--replay <dir>', 'serve a recorded Mac folder instead of this machine')
  .option('--json', 'print { host, findings, unknown, unknownReasons } as JSON')
  .option('--policy <file.json>', 'policy overrides (minZoomVersion, minMacosVersion, zoomBundleId, zoomAppPath)')
  .action(async (opts: { replay?: string; json?: boolean; policy?: string }) => (await import('./cli/doctor.js')).doctorCommand(opts));

program
  .command('run')
  .description('run as the agent service: enroll, stream reports, execute remediation commands')
  .requiredOption('--server <url>', 'FleetMedic server, e.g. http://127.0.0.1:8080')
  .addOption(
    new Option('--enroll-secret-file <path>', 'file holding the enrollment secret on one line; run as root, it must belong to root with mode 600 (exit 78 otherwise)')
      .env('FLEETMEDIC_ENROLL_SECRET_FILE')
      .conflicts('enrollSecret'),
  )
  .option('--enroll-secret <secret>', 'the enrollment secret itself: every local user sees it in ps, prefer --enroll-secret-file')
  .option('--replay <dir>', 'serve a recorded Mac folder instead of this machine')
  .option('--state-dir <dir>', 'state folder (credentials, outbox, executed commands)')
  .option('--schedule <cron>', 'collection schedule, cron syntax', '*/15 * * * *')
  .option('--jitter <seconds>', 'random delay before each scheduled collection, seconds', '60')
  .option('--tcc-reset-services <list>', 'comma-separated TCC services tcc.reset may reset (default Camera,Microphone,ScreenCapture); the server policy must allow them too')
  .option('--tcc-reset-clients <list>', 'comma-separated bundle ids tcc.reset may reset (default us.zoom.xos); the server policy must allow them too')
  .action(async (opts: RunCommandOptions) => (await import('./cli/run.js')).runCommand(opts));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`fleetmedic-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  const { exitCode } = error as { exitCode?: unknown };
  process.exitCode = typeof exitCode === 'number' ? exitCode : 1;
});
