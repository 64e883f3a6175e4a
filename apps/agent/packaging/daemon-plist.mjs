// The LaunchDaemon plist the package installs: deploy/com.fleetmedic.agent.plist with the fleet's
// server URL in place of the template's.
import { parse as parsePlist } from 'plist';
import { CA_CERT_PATH, NODE_PATH } from './layout.mjs';
import { replaceString } from './xml.mjs';

/** The server URL deploy/com.fleetmedic.agent.plist holds for the admin to replace. */
export const TEMPLATE_SERVER_URL = 'https://fleetmedic.example.com';

/**
 * The plist text for `serverUrl` (already checked by checkServerUrl), with NODE_EXTRA_CA_CERTS =
 * CA_CERT_PATH when `withCaCert` (the template has it commented out). Parses the result and throws
 * if `run --server` does not hold the URL or FLEETMEDIC_NODE is not the packaged node: the template
 * and this script must agree, and a Mac would find out only at boot.
 * @param {string} template the text of deploy/com.fleetmedic.agent.plist
 * @param {string} serverUrl
 * @param {boolean} withCaCert
 */
export function renderDaemonPlist(template, serverUrl, withCaCert) {
  let text = replaceString(template, TEMPLATE_SERVER_URL, serverUrl);
  if (withCaCert) {
    const node = `<string>${NODE_PATH}</string>`;
    // The template's commented-out example gives way to the real entry.
    text = text.replace(/\n *<!-- A server certificate from a private CA:[\s\S]*?-->/, '');
    text = text.replace(node, `${node}\n    <key>NODE_EXTRA_CA_CERTS</key>\n    <string>${CA_CERT_PATH}</string>`);
  }
  const daemon = /** @type {{ ProgramArguments: string[], EnvironmentVariables: Record<string, string> }} */ (/** @type {unknown} */ (parsePlist(text)));
  const args = daemon.ProgramArguments;
  if (args[args.indexOf('--server') + 1] !== serverUrl) throw new Error('the LaunchDaemon template does not pass the server URL after --server');
  if (daemon.EnvironmentVariables.FLEETMEDIC_NODE !== NODE_PATH) throw new Error(`the LaunchDaemon template's FLEETMEDIC_NODE is not ${NODE_PATH}`);
  if (withCaCert && daemon.EnvironmentVariables.NODE_EXTRA_CA_CERTS !== CA_CERT_PATH) throw new Error('the LaunchDaemon template has no FLEETMEDIC_NODE entry to add NODE_EXTRA_CA_CERTS after');
  return text;
}
