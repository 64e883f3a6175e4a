import { APP_PATH_PATTERN, BUNDLE_ID_PATTERN, TCC_RESETTABLE_SERVICES, type Action } from '@fleetmedic/protocol';

const BUNDLE_ID = new RegExp(BUNDLE_ID_PATTERN);
const APP_PATH = new RegExp(APP_PATH_PATTERN);
const SERVICES = new Set<string>(TCC_RESETTABLE_SERVICES);
/** Characters a shell would act on: never valid in a parameter, even though no shell is used. */
const SHELL_META = /[;&|`$<>(){}[\]*?!~'"\\\n\r\t]/;

/**
 * The agent's own check of an action's parameters, made again after the schema check so a
 * server bug or a tampered message cannot pass a value the agent would not run by hand.
 * Returns null when allowed, else the reason in words.
 */
export function refuseParameters(action: { type: string; params?: unknown }): string | null {
  const params = (action.params ?? {}) as Record<string, unknown>;
  switch (action.type) {
    case 'tcc.reset': {
      const { service, bundleId } = params;
      if (typeof service !== 'string' || !SERVICES.has(service)) {
        return `refused parameter service ${JSON.stringify(service)}: not a TCC service tccutil may reset (allowed: ${TCC_RESETTABLE_SERVICES.join(', ')})`;
      }
      if (typeof bundleId !== 'string' || bundleId.length > 255 || SHELL_META.test(bundleId) || !BUNDLE_ID.test(bundleId)) {
        return `refused parameter bundleId ${JSON.stringify(bundleId)}: not a reverse-DNS bundle id (letters, digits, '-' and '.', e.g. us.zoom.xos)`;
      }
      return null;
    }
    case 'firewall.allow':
    case 'firewall.block': {
      const { appPath } = params;
      if (typeof appPath !== 'string' || !appPath.startsWith('/')) {
        return `refused parameter appPath ${JSON.stringify(appPath)}: not an absolute path`;
      }
      if (appPath.length > 1024 || !APP_PATH.test(appPath) || appPath.split('/').includes('..')) {
        return `refused parameter appPath ${JSON.stringify(appPath)}: must be an absolute path without '..' or control characters`;
      }
      return null;
    }
    case 'zoom.quit':
    case 'agent.collect':
      return Object.keys(params).length === 0 ? null : `refused parameters for ${action.type}: it takes none`;
    default:
      return `refused action ${JSON.stringify(action.type)}: not in the agent's list of actions`;
  }
}

/** Actions after which the facts have changed and the agent reports again. */
export function changesState(action: Action): boolean {
  return action.type === 'tcc.reset' || action.type === 'firewall.allow' || action.type === 'firewall.block';
}
