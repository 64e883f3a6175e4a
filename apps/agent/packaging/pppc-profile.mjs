// The Full Disk Access profile written beside the package: deploy/fleetmedic-agent-fda.mobileconfig
// with its REPLACE_ values filled in for this package's node.
import { createHash } from 'node:crypto';
import { parse as parsePlist } from 'plist';
import { NODE_PATH } from './layout.mjs';
import { replaceString } from './xml.mjs';

/** Placeholder left in the profile when no requirement is known (built off a Mac, none given). */
export const REQUIREMENT_PLACEHOLDER = 'REPLACE_WITH_CODESIGN_DESIGNATED_REQUIREMENT';

/** UUID namespace of FleetMedic's profiles (random, fixed): the same inputs give the same PayloadUUIDs. */
const NAMESPACE = Buffer.from('5f1c2a0e6b7d4c3a9e8f0a1b2c3d4e5f', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5, SHA-1) of `name`: a rebuilt package's profile keeps its
 * PayloadUUIDs, so the MDM sees the same profile, not a second one.
 * @param {string} name
 */
export function nameUuid(name) {
  const bytes = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
  bytes[6] = (/** @type {number} */ (bytes[6]) & 0x0f) | 0x50;
  bytes[8] = (/** @type {number} */ (bytes[8]) & 0x3f) | 0x80;
  const h = bytes.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The profile text. `codeRequirement` undefined leaves REQUIREMENT_PLACEHOLDER for the admin (the
 * caller says so); the UUIDs derive from the server URL, so one fleet's profile keeps them across
 * builds. Parses the result and throws if the grant is not SystemPolicyAllFiles for NODE_PATH.
 * @param {string} template the text of deploy/fleetmedic-agent-fda.mobileconfig
 * @param {{ serverUrl: string, organization: string, codeRequirement: string | undefined }} fill
 */
export function renderPppcProfile(template, fill) {
  // The template's opening comment tells the admin to fill it in: this one is filled.
  const note = `<!--\n  Full Disk Access for the FleetMedic agent's node (${NODE_PATH}), written by apps/agent/packaging\n  beside the package. Upload it to your MDM with the package: apps/agent/README.md, "Package for your MDM".\n-->`;
  let text = template.replace(/<!--[\s\S]*?-->/, () => note);
  text = replaceString(text, 'REPLACE_WITH_YOUR_ORGANIZATION', fill.organization);
  text = replaceString(text, 'REPLACE_WITH_UUIDGEN_OUTPUT_1', nameUuid(`profile ${fill.serverUrl}`));
  text = replaceString(text, 'REPLACE_WITH_UUIDGEN_OUTPUT_2', nameUuid(`pppc ${fill.serverUrl}`));
  if (fill.codeRequirement !== undefined) text = replaceString(text, REQUIREMENT_PLACEHOLDER, fill.codeRequirement);
  const profile = /** @type {{ PayloadContent: { Services: { SystemPolicyAllFiles: { Identifier: string }[] } }[] }} */ (/** @type {unknown} */ (parsePlist(text)));
  if (profile.PayloadContent[0]?.Services.SystemPolicyAllFiles[0]?.Identifier !== NODE_PATH) throw new Error(`the profile template does not grant ${NODE_PATH}`);
  return text;
}
