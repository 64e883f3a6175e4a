import { ACTION_TYPES, Action, validator, type Action as ActionT, type Validated } from '@fleetmedic/protocol';
import type { TSchema } from 'typebox';

const checkAction = validator(Action);
const checkByType = new Map(
  (Action.anyOf as TSchema[]).map((variant, i) => [ACTION_TYPES[i]!, validator(variant)] as const),
);

/**
 * Validates an action against the protocol's closed Action list. Errors name the reason the way
 * an operator can act on it: the unknown type and the allowed ones, or the parameter paths of
 * that type's own schema (e.g. `/params/service: ...`).
 */
export function checkActionInput(input: unknown): Validated<ActionT> {
  const checked = checkAction(input);
  if (checked.ok) return checked;
  const type = (input as { type?: unknown } | null)?.type;
  const variant = typeof type === 'string' ? checkByType.get(type as ActionT['type']) : undefined;
  if (!variant) return { ok: false, errors: [`unknown action type ${JSON.stringify(type ?? null)}; allowed: ${ACTION_TYPES.join(', ')}`] };
  const specific = variant(input);
  return { ok: false, errors: specific.ok ? checked.errors : specific.errors };
}
