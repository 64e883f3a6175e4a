// The packaging command's options, checked before anything is built: a wrong node binary or server
// URL would otherwise surface only on the Macs, as an agent that never starts or never connects.
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MACHO_HEADER_BYTES, readMachOHeader } from './macho.mjs';

export const USAGE = `usage: node packaging/package.mjs --node <node binary> --server-url <https://...> [options]
  --node <path>               bin/node of nodejs.org's macOS tarball (darwin-arm64 or darwin-x64),
                              installed as /usr/local/fleetmedic/node
  --server-url <url>          the FleetMedic server the agents connect to (https://; http:// only for localhost)
  --version <x.y.z>           package version (default: the agent's, from package.json)
  --out <dir>                 output folder (default: apps/agent/out)
  --sign <identity>           "Developer ID Installer: Name (TEAMID)" from your keychain
  --organization <name>       PayloadOrganization of the Full Disk Access profile (default: FleetMedic)
  --code-requirement <req>    the node's designated requirement for the profile (on a Mac: read with codesign)
  --ca-cert <pem file>        your private CA's certificate(s), when the server's certificate comes from one
  --payload-only              stage the payload and the profile, build no package (the default off macOS)`;

/**
 * @typedef {object} PackageOptions
 * @property {string} nodePath absolute path of the Mach-O node binary to ship
 * @property {string} nodeArch its architecture, as its header says (arm64, x86_64, "2 architectures")
 * @property {string} serverUrl the server URL as the agent will be given it (URL.href)
 * @property {string} version package version, digits and dots
 * @property {string} outDir absolute output folder
 * @property {string | undefined} signIdentity the signing identity for pkgbuild/productbuild --sign
 * @property {string} organization PayloadOrganization of the profile
 * @property {string | undefined} codeRequirement designated requirement given by the admin
 * @property {string | undefined} caCertPath absolute path of a PEM file of CA certificates to ship
 * @property {boolean} payloadOnly stop after staging
 */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a server URL for a LaunchDaemon: http(s) only, and http only to this Mac (anything else
 * would send the enrollment secret and every report in clear); no user or password (the plist is
 * readable by every local user). Never throws.
 * @param {string | undefined} value
 * @returns {{ ok: true, value: string } | { ok: false, error: string }}
 */
export function checkServerUrl(value) {
  if (value === undefined || value === '') return { ok: false, error: '--server-url is required: the URL of your FleetMedic server, e.g. https://fleetmedic.example.com' };
  let url;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `--server-url "${value}" is not a URL (e.g. https://fleetmedic.example.com)` };
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    return { ok: false, error: `--server-url ${url.href}: http:// would send the enrollment secret and every report in clear; use https:// (http:// is accepted only for localhost)` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: `--server-url must be https://, got ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { ok: false, error: '--server-url must not hold a user or password: the LaunchDaemon plist is readable by every local user' };
  return { ok: true, value: url.href };
}

/**
 * Checks that `file` is a macOS executable (its Mach-O header), not Linux's node or a script.
 * @param {string | undefined} file
 * @returns {Promise<{ ok: true, value: { path: string, arch: string } } | { ok: false, error: string }>}
 */
export async function checkNodeBinary(file) {
  if (file === undefined || file === '') return { ok: false, error: '--node is required: bin/node of nodejs.org\'s macOS tarball (node-v22.*-darwin-arm64.tar.gz or -darwin-x64)' };
  const absolute = path.resolve(file);
  let head;
  try {
    const handle = await open(absolute, 'r');
    try {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(MACHO_HEADER_BYTES), 0, MACHO_HEADER_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { ok: false, error: `--node ${absolute}: ${/** @type {Error} */ (error).message}` };
  }
  const header = readMachOHeader(head);
  if (!header.ok) return { ok: false, error: `--node ${absolute} is not a macOS binary (${header.error}): give bin/node of nodejs.org's darwin-arm64 or darwin-x64 tarball` };
  return { ok: true, value: { path: absolute, arch: header.value.arch } };
}

/**
 * Checks that `file` holds PEM certificates, as NODE_EXTRA_CA_CERTS reads them.
 * @param {string} file absolute path
 * @returns {Promise<{ ok: true, value: string } | { ok: false, error: string }>}
 */
async function checkCaCert(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, error: `--ca-cert ${file}: ${/** @type {Error} */ (error).message}` };
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, error: `--ca-cert ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  return { ok: true, value: file };
}

/**
 * Parses and checks the command line (a leading `--`, as `pnpm run package -- ...` passes it, is
 * skipped). Never throws: unknown options, a bad URL, a node that is not a Mac binary, a bad version
 * or a multi-line value come back as `error`.
 * @param {string[]} argv arguments after the script name
 * @param {{ defaultVersion: string, defaultOutDir: string, isMac: boolean, cwd: string }} defaults `cwd`: the folder relative
 *   --node and --out start from (the admin's, not the package folder pnpm runs scripts in)
 * @returns {Promise<{ ok: true, value: PackageOptions } | { ok: false, error: string } | { ok: true, help: true }>}
 */
export async function parseOptions(argv, defaults) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : argv,
      options: {
        node: { type: 'string' },
        'server-url': { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string' },
        sign: { type: 'string' },
        organization: { type: 'string' },
        'code-requirement': { type: 'string' },
        'ca-cert': { type: 'string' },
        'payload-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, error: /** @type {Error} */ (error).message };
  }
  if (values.help) return { ok: true, help: true };
  const url = checkServerUrl(values['server-url']);
  if (!url.ok) return url;
  const version = values.version ?? defaults.defaultVersion;
  if (!/^\d+(\.\d+){0,3}$/.test(version)) return { ok: false, error: `--version "${version}": digits and dots, e.g. 1.4.0 (Installer compares versions by their numbers)` };
  for (const [name, value] of /** @type {const} */ ([['sign', values.sign], ['organization', values.organization], ['code-requirement', values['code-requirement']]])) {
    if (value !== undefined && (value.trim() === '' || /[\r\n\0]/.test(value))) return { ok: false, error: `--${name} must be one non-empty line` };
  }
  const caCert = values['ca-cert'] === undefined ? undefined : await checkCaCert(path.resolve(defaults.cwd, values['ca-cert']));
  if (caCert !== undefined && !caCert.ok) return caCert;
  const node = await checkNodeBinary(values.node === undefined ? undefined : path.resolve(defaults.cwd, values.node));
  if (!node.ok) return node;
  return {
    ok: true,
    value: {
      nodePath: node.value.path,
      nodeArch: node.value.arch,
      serverUrl: url.value,
      version,
      outDir: values.out === undefined ? defaults.defaultOutDir : path.resolve(defaults.cwd, values.out),
      signIdentity: values.sign,
      organization: values.organization ?? 'FleetMedic',
      codeRequirement: values['code-requirement'],
      caCertPath: caCert?.value,
      payloadOnly: values['payload-only'] === true || !defaults.isMac,
    },
  };
}
