// Lays out what pkgbuild packs: <out>/payload/root (the files, as they land under /) and
// <out>/payload/scripts (preinstall, postinstall), every mode set explicitly (never the builder's
// umask). Runs the same on Linux and macOS.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { renderDaemonPlist } from './daemon-plist.mjs';
import { CA_CERT_PATH, DAEMON_PLIST_PATH, DIST_DIR_MODE, DIST_FILE_MODE, INSTALL_DIR, NEWSYSLOG_PATH, NODE_PATH, PAYLOAD_ENTRIES, SCRIPT_NAMES } from './layout.mjs';

const AGENT_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const HERE = path.join(AGENT_DIR, 'packaging');

/**
 * The source of each payload file but dist/ (built) and the plist (rendered), by installed path.
 * @type {Record<string, string>}
 */
const COPIED = {
  [NEWSYSLOG_PATH]: path.join(AGENT_DIR, 'deploy/fleetmedic-agent.newsyslog.conf'),
  [`${INSTALL_DIR}/bin/fleetmedic-agent`]: path.join(AGENT_DIR, 'bin/fleetmedic-agent'),
  [`${INSTALL_DIR}/uninstall.sh`]: path.join(HERE, 'uninstall.sh'),
};

/**
 * Stages the payload and the install scripts under `<outDir>/payload` (emptied first: nothing of an
 * earlier build is packed). Builds the agent bundle into the payload's dist/ with scripts/build.mjs.
 * Throws when the build fails (its stderr in the message) or a file cannot be written.
 * @param {{ outDir: string, nodePath: string, serverUrl: string, caCertPath: string | undefined }} opts
 * @returns {Promise<{ root: string, scripts: string }>} the two folders pkgbuild takes
 */
export async function stagePayload(opts) {
  const payload = path.join(opts.outDir, 'payload');
  const root = path.join(payload, 'root');
  const scripts = path.join(payload, 'scripts');
  await rm(payload, { recursive: true, force: true });
  await mkdir(scripts, { recursive: true });
  const at = (/** @type {string} */ installed) => path.join(root, installed);

  for (const entry of PAYLOAD_ENTRIES) if (entry.kind === 'dir') await mkdir(path.join(root, entry.path), { recursive: true });
  const template = await readFile(path.join(AGENT_DIR, 'deploy/com.fleetmedic.agent.plist'), 'utf8');
  await writeFile(at(DAEMON_PLIST_PATH), renderDaemonPlist(template, opts.serverUrl, opts.caCertPath !== undefined));
  await copyFile(opts.nodePath, at(NODE_PATH));
  for (const [installed, source] of Object.entries(COPIED)) await copyFile(source, at(installed));
  await buildBundle(at(`${INSTALL_DIR}/dist`));
  await setTreeModes(at(`${INSTALL_DIR}/dist`));
  for (const entry of PAYLOAD_ENTRIES) await chmod(path.join(root, entry.path), entry.mode);
  if (opts.caCertPath !== undefined) {
    await copyFile(opts.caCertPath, at(CA_CERT_PATH));
    await chmod(at(CA_CERT_PATH), 0o644);
  }

  for (const name of SCRIPT_NAMES) {
    await copyFile(path.join(HERE, 'scripts', name), path.join(scripts, name));
    await chmod(path.join(scripts, name), 0o755);
  }
  return { root, scripts };
}

/** scripts/build.mjs into `outdir` (which it empties), as its own process: it is a script, not a module. */
async function buildBundle(/** @type {string} */ outdir) {
  try {
    await promisify(execFile)(process.execPath, [path.join(AGENT_DIR, 'scripts/build.mjs'), '--outdir', outdir], { cwd: AGENT_DIR });
  } catch (error) {
    throw new Error(`building the agent bundle failed: ${/** @type {{ stderr?: string }} */ (error).stderr || /** @type {Error} */ (error).message}`);
  }
}

/** dist/ as built: folders DIST_DIR_MODE, files DIST_FILE_MODE (esbuild's follow the umask). */
async function setTreeModes(/** @type {string} */ dir) {
  await chmod(dir, DIST_DIR_MODE);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await setTreeModes(child);
    else await chmod(child, DIST_FILE_MODE);
  }
}
