import { BUNDLE_ID_PATTERN, DEFAULT_POLICY, scopeProblems, type Policy } from '@fleetmedic/protocol';
import { isDottedVersion } from './versions.js';

const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof Policy)[];
const LIST_KEYS = new Set<keyof Policy>(['tccResetServices', 'tccResetClients']);

/**
 * The full Policy: DEFAULT_POLICY (Zoom 6.0.0, macOS 14.0, us.zoom.xos, /Applications/zoom.us.app,
 * tcc.reset of Camera, Microphone and ScreenCapture) overridden by the fields of `partial` that
 * are not undefined; `tccResetClients` defaults to `[zoomBundleId]`, so a changed Zoom bundle id
 * stays resettable.
 * Admin configuration, so bad values throw one Error listing every problem: unknown keys
 * (a typo must not silently fall back to a default), versions that are not dotted numeric
 * ("5.16.10"), a bundle id that is not one, an app path that is not an absolute .app path, a
 * tcc.reset scope with unknown services or bad bundle ids (scopeProblems). A Zoom outside
 * /Applications is allowed: its firewall finding then says what to do instead of offering a fix.
 */
export function resolvePolicy(partial: Partial<Policy> = {}): Policy {
  const problems: string[] = [];
  if (typeof partial !== 'object' || partial === null) throw new Error('invalid policy: expected an object');
  for (const key of Object.keys(partial)) {
    if (!POLICY_KEYS.includes(key as keyof Policy)) problems.push(`unknown key "${key}" (known: ${POLICY_KEYS.join(', ')})`);
  }
  const policy: Policy = { ...DEFAULT_POLICY };
  for (const key of ['minZoomVersion', 'minMacosVersion', 'zoomBundleId', 'zoomAppPath', 'tccResetServices', 'tccResetClients'] as const) {
    const value: unknown = partial[key];
    if (value === undefined) continue;
    if (LIST_KEYS.has(key)) {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) (policy[key] as string[]) = [...value];
      else problems.push(`${key} must be a list of strings, got ${JSON.stringify(value)}`);
    } else if (typeof value !== 'string') problems.push(`${key} must be a string, got ${JSON.stringify(value)}`);
    else (policy[key] as string) = value;
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
  } else if (partial.tccResetClients === undefined) policy.tccResetClients = [policy.zoomBundleId];
  if (!isAppBundlePath(policy.zoomAppPath)) {
    problems.push(`zoomAppPath "${policy.zoomAppPath}" is not an absolute path to an .app bundle like /Applications/zoom.us.app`);
  }
  problems.push(...scopeProblems(policy));
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

/** Absolute, no `..` segment, no control characters, ends in `.app` (a trailing `/` allowed). */
function isAppBundlePath(path: string): boolean {
  return path.startsWith('/') && !path.split('/').includes('..') && !/[\x00-\x1f\x7f]/.test(path) && /\.app\/?$/i.test(path);
}
