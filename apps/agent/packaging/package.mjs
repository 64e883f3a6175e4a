#!/usr/bin/env node
// Packages the FleetMedic agent for an MDM: `pnpm --filter @fleetmedic/agent run package -- --node
// <nodejs.org darwin node> --server-url https://...` (USAGE in options.mjs). On a Mac: the signed
// product archive fleetmedic-agent-<version>.pkg and the Full Disk Access profile beside it. Elsewhere,
// or with --payload-only: the staged payload and scripts pkgbuild would pack, and the profile.
// Exit status: 0 done, 2 refused options, 1 a step failed. Walkthrough: apps/agent/README.md.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNodeVersion, readCodeRequirement, run } from './mac-tools.mjs';
import { NODE_PATH } from './layout.mjs';
import { parseOptions, USAGE } from './options.mjs';
import { pkgbuildArgs, productbuildArgs } from './pkgbuild.mjs';
import { REQUIREMENT_PLACEHOLDER, renderPppcProfile } from './pppc-profile.mjs';
import { stagePayload } from './stage.mjs';

const AGENT_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const PROFILE_NAME = 'fleetmedic-agent-fda.mobileconfig';
const isMac = process.platform === 'darwin';
const say = (/** @type {string} */ line) => process.stdout.write(`${line}\n`);
/** Prints `message` and exits with `code`. @type {(message: string, code?: number) => never} */
const fail = (message, code = 1) => {
  process.stderr.write(`fleetmedic package: ${message}\n`);
  process.exit(code);
};

const { version: agentVersion } = JSON.parse(await readFile(path.join(AGENT_DIR, 'package.json'), 'utf8'));
const parsed = await parseOptions(process.argv.slice(2), {
  defaultVersion: agentVersion,
  defaultOutDir: path.join(AGENT_DIR, 'out'),
  isMac,
  // pnpm and npm run a package's scripts in its folder and name the caller's folder INIT_CWD.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
if ('help' in parsed) {
  say(USAGE);
  process.exit(0);
}
if (!parsed.ok) fail(`${parsed.error}\n${USAGE}`, 2);
const opts = parsed.value;

let codeRequirement = opts.codeRequirement;
if (isMac) {
  const version = await checkNodeVersion(opts.nodePath);
  if (!version.ok) fail(version.error, 2);
  if (codeRequirement === undefined) {
    const read = await readCodeRequirement(opts.nodePath);
    if (!read.ok) fail(`--node ${opts.nodePath}: ${read.error}`, 2);
    codeRequirement = read.value;
  }
  say(`node ${version.value} (${opts.nodeArch}), designated requirement: ${codeRequirement}`);
}

const staged = await stagePayload(opts);
say(`payload: ${staged.root}\nscripts: ${staged.scripts}`);

const profile = path.join(opts.outDir, PROFILE_NAME);
const template = await readFile(path.join(AGENT_DIR, 'deploy', PROFILE_NAME), 'utf8');
await writeFile(profile, renderPppcProfile(template, { serverUrl: opts.serverUrl, organization: opts.organization, codeRequirement }));
say(`Full Disk Access profile: ${profile}`);
if (codeRequirement === undefined) {
  say(`  its CodeRequirement is still ${REQUIREMENT_PLACEHOLDER}: on a Mac, put there what follows "designated => " in\n  \`codesign -dr - ${NODE_PATH}\` (or rerun this on a Mac, or pass --code-requirement)`);
}

if (opts.payloadOnly) {
  say(isMac ? 'payload only: no package built' : `payload only: pkgbuild runs on macOS; on a Mac, run this again to build the package`);
  process.exit(0);
}
const component = path.join(opts.outDir, 'payload', 'component.pkg');
const product = path.join(opts.outDir, `fleetmedic-agent-${opts.version}.pkg`);
for (const [program, args] of /** @type {const} */ ([
  ['/usr/bin/pkgbuild', pkgbuildArgs({ ...staged, version: opts.version, signIdentity: opts.signIdentity, output: component })],
  ['/usr/bin/productbuild', productbuildArgs({ component, signIdentity: opts.signIdentity, output: product })],
])) {
  const r = await run(program, args);
  process.stderr.write(r.stderr);
  if (r.code !== 0) fail(`${path.basename(program)} exited ${r.code}`);
}
say(`package: ${product}${opts.signIdentity === undefined ? ' (unsigned: MDMs want it signed, pass --sign "Developer ID Installer: ...")' : ` (signed by ${opts.signIdentity})`}`);
