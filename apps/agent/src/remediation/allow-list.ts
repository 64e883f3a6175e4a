import { ACTION_TYPES, DEFAULT_REMEDIATION_SCOPE, refuseOutsideScope, type Action, type RemediationScope } from '@fleetmedic/protocol';

const KNOWN = new Set<string>(ACTION_TYPES);

/**
 * The agent's own check of an action, made before the schema check so a server bug, a
 * compromised server or a tampered message cannot pass a value the agent would not run by hand:
 * the closed action list, then the remediation scope (protocol's refuseOutsideScope: firewall
 * actions name an application bundle under /Applications; tcc.reset only `scope`'s services and
 * clients, default Camera, Microphone and ScreenCapture for us.zoom.xos, widened only by the
 * agent's own options; zoom.clear-caches only the named user's Zoom data folders). Returns null
 * when allowed, else the reason in words.
 */
export function refuseParameters(action: { type: string; params?: unknown }, scope: RemediationScope = DEFAULT_REMEDIATION_SCOPE): string | null {
  if (!KNOWN.has(action.type)) return `refused action ${JSON.stringify(action.type)}: not in the agent's list of actions`;
  if (action.type === 'zoom.quit' || action.type === 'agent.collect') {
    const params = action.params ?? {};
    return typeof params === 'object' && params !== null && Object.keys(params).length === 0 ? null : `refused parameters for ${action.type}: it takes none`;
  }
  return refuseOutsideScope(action, scope);
}

/** Actions after which the facts have changed and the agent reports again. */
export function changesState(action: Action): boolean {
  return action.type === 'tcc.reset' || action.type === 'firewall.allow' || action.type === 'firewall.block' || action.type === 'zoom.clear-caches';
}
