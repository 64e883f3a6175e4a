import { APP_PATH_PATTERN, BUNDLE_ID_PATTERN, DEFAULT_POLICY, type Policy } from '@fleetmedic/protocol';
import { isDottedVersion } from './versions.js';

const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof Policy)[];

/**
 * The full Policy: DEFAULT_POLICY (Zoom 6.0.0, macOS 14.0, us.zoom.xos, /Applications/zoom.us.app)
 * overridden by the fields of `partial` that are not undefined.
 * Admin configuration, so bad values throw one Error listing every problem: unknown keys
 * (a typo must not silently fall back to a default), versions that are not dotted numeric
 * ("5.16.10"), a bundle id or app path the remediation schema would refuse.
 */
export function resolvePolicy(partial: Partial<Policy> = {}): Policy {
  const problems: string[] = [];
  if (typeof partial !== 'object' || partial === null) throw new Error('invalid policy: expected an object');
  for (const key of Object.keys(partial)) {
    if (!POLICY_KEYS.includes(key as keyof Policy)) problems.push(`unknown key "${key}" (known: ${POLICY_KEYS.join(', ')})`);
  }
  const policy: Policy = { ...DEFAULT_POLICY };
  for (const key of ['minZoomVersion', 'minMacosVersion', 'zoomBundleId', 'zoomAppPath'] as const) {
    const value: unknown = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') problems.push(`${key} must be a string, got ${JSON.stringify(value)}`);
    else policy[key] = value;
  }
  if (partial.zoomHosts !== undefined) {
    if (!Array.isArray(partial.zoomHosts) || !partial.zoomHosts.every(isHostName)) problems.push(`zoomHosts must be a list of host names like zoom.us, got ${JSON.stringify(partial.zoomHosts)}`);
    else policy.zoomHosts = partial.zoomHosts;
  }
  if (partial.zoomEndpoints !== undefined) {
    const ok = Array.isArray(partial.zoomEndpoints) && partial.zoomEndpoints.every((e: unknown) => isEndpoint(e));
    if (!ok) problems.push(`zoomEndpoints must be a list of { host, port } like { "host": "zoom.us", "port": 443 }, got ${JSON.stringify(partial.zoomEndpoints)}`);
    else policy.zoomEndpoints = partial.zoomEndpoints;
  }
  for (const key of ['minZoomVersion', 'minMacosVersion'] as const) {
    if (!isDottedVersion(policy[key])) problems.push(`${key} "${policy[key]}" is not a dotted numeric version like 6.0.0`);
  }
  if (!new RegExp(BUNDLE_ID_PATTERN).test(policy.zoomBundleId)) {
    problems.push(`zoomBundleId "${policy.zoomBundleId}" is not a bundle id like us.zoom.xos`);
  }
  if (!new RegExp(APP_PATH_PATTERN).test(policy.zoomAppPath) || !/\.app\/?$/i.test(policy.zoomAppPath)) {
    problems.push(`zoomAppPath "${policy.zoomAppPath}" is not an absolute path to an .app bundle like /Applications/zoom.us.app`);
  }
  if (problems.length > 0) throw new Error(`invalid policy: ${problems.join('; ')}`);
  return policy;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isHostName(v: unknown): v is string {
  return typeof v === 'string' && HOST_NAME.test(v);
}

function isEndpoint(v: unknown): v is { host: string; port: number } {
  if (typeof v !== 'object' || v === null) return false;
  const { host, port } = v as { host?: unknown; port?: unknown };
  return isHostName(host) && Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65_535;
}
