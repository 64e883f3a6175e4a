import type { Action, CommandStatus } from '@fleetmedic/protocol';
import { TERMINAL_COMMAND_STATUSES } from '@fleetmedic/protocol';

/** A command ended (succeeded, failed, timed out, expired, cancelled): no more updates come. */
export const isTerminal = (status: CommandStatus): boolean => TERMINAL_COMMAND_STATUSES.includes(status);

/** Only queued or sent commands can still be cancelled; once the Mac acknowledged, it runs. */
export const isCancellable = (status: CommandStatus): boolean => status === 'queued' || status === 'sent';

/** The same action (type and parameters), e.g. to find a fix already in flight for a finding. */
export function sameAction(a: Action, b: Action): boolean {
  if (a.type !== b.type) return false;
  const pa = a.params as Record<string, unknown>;
  const pb = b.params as Record<string, unknown>;
  const keys = new Set([...Object.keys(pa), ...Object.keys(pb)]);
  return [...keys].every((k) => pa[k] === pb[k]);
}

/** The steps of a command's life, for a progress line: queued -> sent -> acknowledged -> result. */
export const COMMAND_STEPS: CommandStatus[] = ['queued', 'sent', 'acknowledged'];
