import { ACTION_TYPES, Action, refuseOutsideScope, validator, type Action as ActionT, type RemediationScope, type Validated } from '@fleetmedic/protocol';
import type { TSchema } from 'typebox';

const checkAction = validator(Action);
const checkByType = new Map(
  (Action.anyOf as TSchema[]).map((variant, i) => [ACTION_TYPES[i]!, validator(variant)] as const),
);

/**
 * Validates an action against the protocol's closed Action list and the remediation scope (the
 * policy's tcc.reset services and clients; firewall actions only for application bundles under
 * /Applications), the same rule the agent applies before it runs one. Errors name the reason
 * the way an operator can act on it: the scope refusal in words, the unknown type and the
 * allowed ones, or the parameter paths of that type's own schema (e.g. `/params/service: ...`).
 */
export function checkActionInput(input: unknown, scope: RemediationScope): Validated<ActionT> {
  const type = (input as { type?: unknown } | null)?.type;
  const variant = typeof type === 'string' ? checkByType.get(type as ActionT['type']) : undefined;
  if (!variant) {
    const checked = checkAction(input);
    return checked.ok ? checked : { ok: false, errors: [`unknown action type ${JSON.stringify(type ?? null)}; allowed: ${ACTION_TYPES.join(', ')}`] };
  }
  const refused = refuseOutsideScope(input as { type: string; params?: unknown }, scope);
  if (refused) return { ok: false, errors: [refused] };
  const specific = variant(input);
  return specific.ok ? { ok: true, value: specific.value as ActionT } : specific;
}
