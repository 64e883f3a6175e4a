import type { Action } from '@fleetmedic/protocol';
import type { CommandView, DeviceFinding } from '../api/types.js';
import { isTerminal, sameAction } from '../model/commands.js';
import { severityRank } from '../model/findings.js';
import { COMMAND_STATUS_WORDS, actionLabel, ago } from '../model/words.js';
import { FindingStateBadge, SeverityBadge } from './bits.js';

function FindingCard({ f, inFlight, canFix, onFix }: {
  f: DeviceFinding;
  inFlight: CommandView | undefined;
  canFix: boolean;
  onFix: (action: Action, why: string) => void;
}) {
  const action = f.remedy.action;
  return (
    <li class={`finding finding-${f.severity} finding-state-${f.state}`} data-finding-key={f.key}>
      <div class="finding-head">
        <SeverityBadge severity={f.severity} />
        <h3>{f.title}</h3>
        {f.state !== 'open' && <FindingStateBadge state={f.state} />}
      </div>
      <ul class="evidence">
        {f.evidence.map((e, i) => <li key={i}><span class="muted">{e.section}:</span> {e.detail}</li>)}
      </ul>
      <p class="remedy"><strong>Remedy:</strong> {f.remedy.summary}</p>
      {f.state === 'awaiting-consent' && (
        <p class="note">The fix ran. macOS asks the user the next time Zoom wants it; this clears once they allow.</p>
      )}
      {f.state === 'open' && action && inFlight && (
        <p class="note" role="status">A fix is on its way: {COMMAND_STATUS_WORDS[inFlight.status]}.</p>
      )}
      {f.state === 'open' && action && !inFlight && canFix && (
        <button type="button" class="primary" onClick={() => onFix(action, f.title)}>Fix: {actionLabel(action)}…</button>
      )}
      {f.state === 'open' && !action && <p class="muted">No automatic fix: this needs a person.</p>}
      {f.lastSeenAt && <p class="muted small">First seen {ago(f.firstSeenAt)}, last seen {ago(f.lastSeenAt)}</p>}
    </li>
  );
}

/**
 * The device's findings, most serious first, with evidence and remedy; a Fix button for findings
 * with an action (hidden for viewers, replaced by the status of a fix already in flight).
 * Resolved findings are folded away.
 */
export function Findings({ findings, commands, canFix, onFix }: {
  findings: DeviceFinding[];
  commands: CommandView[];
  canFix: boolean;
  onFix: (action: Action, why: string) => void;
}) {
  const active = findings
    .filter((f) => f.state !== 'resolved')
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.title.localeCompare(b.title));
  const resolved = findings.filter((f) => f.state === 'resolved');
  const inFlight = (action: Action | undefined) =>
    action ? commands.find((c) => !isTerminal(c.status) && sameAction(c.action, action)) : undefined;
  return (
    <>
      {active.length === 0 ? (
        <p class="all-good">Nothing stops this Mac from joining a call.</p>
      ) : (
        <ul class="findings">
          {active.map((f) => <FindingCard key={f.key} f={f} inFlight={inFlight(f.remedy.action)} canFix={canFix} onFix={onFix} />)}
        </ul>
      )}
      {resolved.length > 0 && (
        <details class="resolved">
          <summary>{resolved.length} resolved {resolved.length === 1 ? 'finding' : 'findings'}</summary>
          <ul class="findings">
            {resolved.map((f) => <FindingCard key={f.key} f={f} inFlight={undefined} canFix={false} onFix={onFix} />)}
          </ul>
        </details>
      )}
    </>
  );
}
