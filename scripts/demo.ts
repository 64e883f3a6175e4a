// `pnpm start`: FleetMedic on one machine. Starts the server on embedded PGlite in .data/,
// then one agent process per recorded Mac in recorded-macs/, and prints the dashboard address
// and an admin token. Ctrl-C stops everything.
//
// The demo's admin token and enrollment secret are kept in .data/demo.json (mode 0600) so a
// restart reuses them; the server itself stores only their hashes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.FLEETMEDIC_DATA_DIR ?? path.join(root, '.data'));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const schedule = process.env.FLEETMEDIC_DEMO_SCHEDULE ?? '*/2 * * * *';
const tsx = path.join(root, 'node_modules/.bin/tsx');

mkdirSync(dataDir, { recursive: true });
const secretsFile = path.join(dataDir, 'demo.json');
const secrets: { enrollSecret: string; adminToken: string } = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : { enrollSecret: `enroll-${randomBytes(18).toString('base64url')}`, adminToken: `fm_admin_${randomBytes(24).toString('base64url')}` };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

// The server serves the dashboard from apps/dashboard/dist: build it once.
const dashboardDir = path.join(root, 'apps/dashboard');
if (!existsSync(path.join(dashboardDir, 'dist/index.html'))) {
  console.log('building the dashboard (apps/dashboard/dist) ...');
  const built = spawnSync(path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: dashboardDir, stdio: 'inherit' });
  if (built.status !== 0) console.error('dashboard build failed: the API still runs; see the output above');
}

const children: ChildProcess[] = [];
let stopping = false;
function stopAll(code = 0): void {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const serverUrl = `http://${host}:${port}`;
const server = spawn(tsx, [path.join(root, 'apps/server/src/cli.ts'), 'serve'], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(port),
    HOST: host,
    FLEETMEDIC_DATA_DIR: dataDir,
    FLEETMEDIC_ENROLL_SECRET: secrets.enrollSecret,
    FLEETMEDIC_ADMIN_TOKEN: secrets.adminToken,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
children.push(server);
server.on('exit', (code) => {
  if (stopping) return; // Ctrl-C reaches the whole process group: the server stopping is expected
  console.error(`server exited (${code}); stopping the demo${code === 1 ? ' (port taken? set PORT=...)' : ''}`);
  stopAll(code ?? 1);
});

async function waitForServer(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${serverUrl}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server did not answer ${serverUrl}/api/v1/health within ${timeoutMs / 1000} s`);
}

await waitForServer(120_000);
const macsDir = path.join(root, 'recorded-macs');
const macs = readdirSync(macsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(macsDir, e.name, 'host.json')))
  .map((e) => e.name)
  .sort();
for (const mac of macs) {
  const agent = spawn(
    tsx,
    [
      path.join(root, 'apps/agent/src/cli.ts'), 'run',
      '--server', serverUrl,
      '--enroll-secret', secrets.enrollSecret,
      '--replay', path.join(macsDir, mac),
      '--state-dir', path.join(dataDir, 'agents', mac),
      '--schedule', schedule,
    ],
    { cwd: root, env: { ...process.env, FLEETMEDIC_LOG_LEVEL: process.env.FLEETMEDIC_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(agent);
}

console.log(`
FleetMedic demo is running (embedded PGlite in ${dataDir.startsWith(root) ? path.relative(root, dataDir) : dataDir}).

  Dashboard   ${serverUrl}/
  API         ${serverUrl}/api/v1/devices
  Admin token ${secrets.adminToken}
  Agents      ${macs.length} recorded Macs from recorded-macs/ (collect every 2 minutes)

  Try: curl -H "Authorization: Bearer ${secrets.adminToken}" ${serverUrl}/api/v1/fleet/summary

Ctrl-C stops the server and the agents.
`);
