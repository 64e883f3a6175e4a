import { BUNDLE_ID_PATTERN, TCC_RESETTABLE_SERVICES, USER_NAME_PATTERN } from './commands.js';
import { ZOOM_DATA_FOLDERS } from './devices.js';

/**
 * What a remediation may touch beyond its schema: the one rule the server (before it queues a
 * command) and the agent (before it runs one) both apply, so a fix does only what it is for.
 *
 * - `firewall.allow` / `firewall.block`: an application bundle under /Applications only (see
 *   refuseAppPath). /Applications is root:admin 0775: a standard user cannot write there, unlike
 *   ~/Applications, ~/Downloads, /tmp, /Users/Shared or a mounted volume. Bare executables
 *   (/bin/sh, /usr/bin/nc, socketfilterfw itself) are never firewall targets.
 * - `tcc.reset`: a service in `tccResetServices` for a client in `tccResetClients`. The defaults
 *   are what a video call needs (DEFAULT_TCC_RESET_SERVICES, the Zoom bundle id); an admin
 *   widens them in the server's policy and, on each Mac, with the agent's own options: a server
 *   alone cannot widen what an agent runs. The agent's own bundle id is never a client.
 * - `zoom.clear-caches`: only the paths of zoomDataPaths(user), each named exactly (refuseZoomDataPaths).
 */
export interface RemediationScope {
  /** tccutil service names `tcc.reset` may reset, e.g. ['Camera', 'Microphone', 'ScreenCapture']. */
  tccResetServices: readonly string[];
  /** Bundle ids `tcc.reset` may reset, e.g. ['us.zoom.xos']. */
  tccResetClients: readonly string[];
}

/**
 * The TCC services a Zoom call needs: Camera and Microphone for video and audio, ScreenCapture
 * for screen sharing (the three the diagnosis rules report denied). Not Accessibility or
 * ListenEvent: Zoom asks for them only for remote control of a shared screen, not for joining
 * a call, and resetting them for another client would take a security tool's access away.
 */
export const DEFAULT_TCC_RESET_SERVICES = ['Camera', 'Microphone', 'ScreenCapture'] as const;
/** The scope when nobody widened it: the video-call services for Zoom (us.zoom.xos). */
export const DEFAULT_REMEDIATION_SCOPE: RemediationScope = {
  tccResetServices: DEFAULT_TCC_RESET_SERVICES,
  tccResetClients: ['us.zoom.xos'],
};
/** The agent's own identity (its LaunchDaemon label): resetting its grants would blind it. */
export const AGENT_BUNDLE_ID = 'com.fleetmedic.agent';

/** The only folder firewall actions may name bundles in. */
export const APP_BUNDLE_ROOT = '/Applications/';
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Null when `appPath` is an application bundle firewall actions may name, else the reason in
 * words. The rule: at most 1024 characters, no control characters, starts with /Applications/,
 * no empty, `.` or `..` segment, and the last segment (one trailing `/` allowed) is `<name>.app`
 * (any case: APFS is case-insensitive), e.g. /Applications/zoom.us.app or
 * /Applications/zoom.us.app/Contents/Frameworks/ZoomUpdater.app. Symlinks are not resolved: the
 * firewall records the path it is given.
 */
export function refuseAppPath(appPath: unknown): string | null {
  const say = (why: string) => `refused parameter appPath ${JSON.stringify(appPath)}: ${why}`;
  if (typeof appPath !== 'string') return say('not a string');
  if (appPath.length > 1024) return say('longer than 1024 characters');
  if (CONTROL.test(appPath)) return say('contains control characters');
  if (!appPath.startsWith(APP_BUNDLE_ROOT)) {
    return say(`firewall actions take an application bundle under ${APP_BUNDLE_ROOT} (e.g. /Applications/zoom.us.app), not a program or a user-writable folder`);
  }
  const segments = appPath.replace(/\/$/, '').split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return say("empty, '.' or '..' path segments are not allowed");
  if (!/^.+\.app$/is.test(segments[segments.length - 1]!)) return say('not an application bundle: the path must end in <name>.app');
  return null;
}

/** The home folder of a user as the agent finds it on a Mac (apps/agent listHomes): /Users/<name>. */
export const userHome = (user: string): string => `/Users/${user}`;

/**
 * The exact paths `zoom.clear-caches` may remove for `user`: ZOOM_DATA_FOLDERS under
 * /Users/<user>, e.g. /Users/alice/Library/Caches/us.zoom.xos. Nothing else, no prefix match.
 */
export const zoomDataPaths = (user: string): string[] => ZOOM_DATA_FOLDERS.map((f) => `${userHome(user)}/${f.relative}`);

/**
 * Null when `user` is a short user name and every entry of `paths` is one of zoomDataPaths(user),
 * else the reason in words. Exact string equality: no normalising, so `..`, `//`, a trailing `/`
 * or another user's folder are refused. Symlinks are the executor's job (it never follows one).
 */
export function refuseZoomDataPaths(user: unknown, paths: unknown): string | null {
  if (typeof user !== 'string' || !new RegExp(USER_NAME_PATTERN).test(user)) return `refused parameter user ${JSON.stringify(user)}: not a macOS short user name`;
  if (!Array.isArray(paths) || paths.length === 0) return 'refused parameter paths: a non-empty list of Zoom data folders';
  const allowed = zoomDataPaths(user);
  for (const p of paths) {
    if (typeof p !== 'string' || !allowed.includes(p)) {
      return `refused parameter paths ${JSON.stringify(p)}: zoom.clear-caches removes only ${allowed.join(', ')}`;
    }
  }
  return null;
}

/**
 * Null when `action` stays inside `scope`, else the reason in words. Checks the parameters that
 * decide what a fix touches (firewall bundle path, TCC service and client); shapes and the
 * closed action list are the Action schema's job. Unknown types pass here for that reason.
 */
export function refuseOutsideScope(action: { type: string; params?: unknown }, scope: RemediationScope): string | null {
  const params = (action.params ?? {}) as Record<string, unknown>;
  switch (action.type) {
    case 'firewall.allow':
    case 'firewall.block':
      return refuseAppPath(params.appPath);
    case 'tcc.reset': {
      const { service, bundleId } = params;
      if (typeof service !== 'string' || !scope.tccResetServices.includes(service)) {
        return `refused parameter service ${JSON.stringify(service)}: tcc.reset may reset ${scope.tccResetServices.join(', ')} (an admin widens this in the policy)`;
      }
      if (bundleId === AGENT_BUNDLE_ID) return `refused parameter bundleId "${AGENT_BUNDLE_ID}": the agent never resets its own permissions`;
      if (typeof bundleId !== 'string' || !scope.tccResetClients.includes(bundleId)) {
        return `refused parameter bundleId ${JSON.stringify(bundleId)}: tcc.reset may reset ${scope.tccResetClients.join(', ')} (an admin widens this in the policy)`;
      }
      return null;
    }
    case 'zoom.clear-caches':
      return refuseZoomDataPaths(params.user, params.paths);
    default:
      return null;
  }
}

/**
 * Problems with an admin's widened scope (empty when fine): services must be tccutil service
 * names (TCC_RESETTABLE_SERVICES), clients reverse-DNS bundle ids other than the agent's own.
 * Each problem starts with the setting's name (tccResetServices, tccResetClients).
 */
export function scopeProblems(scope: RemediationScope): string[] {
  const problems: string[] = [];
  const known = new Set<string>(TCC_RESETTABLE_SERVICES);
  const bundleId = new RegExp(BUNDLE_ID_PATTERN);
  for (const s of scope.tccResetServices) {
    if (!known.has(s)) problems.push(`tccResetServices: "${s}" is not a TCC service tccutil resets (known: ${TCC_RESETTABLE_SERVICES.join(', ')})`);
  }
  for (const c of scope.tccResetClients) {
    if (c === AGENT_BUNDLE_ID) problems.push(`tccResetClients: "${c}" is the agent itself`);
    else if (!bundleId.test(c)) problems.push(`tccResetClients: "${c}" is not a bundle id like us.zoom.xos`);
  }
  return problems;
}
