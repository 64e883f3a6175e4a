import type { Action } from '@fleetmedic/protocol';
import type { CommandView, DeviceFinding } from '../api/types.js';
import { isTerminal, sameAction } from '../model/commands.js';
import { findingInfo, severityRank } from '../model/findings.js';
import { COMMAND_STATUS_WORDS, actionLabel, ago, dateTime } from '../model/words.js';
import { FindingStateBadge, SeverityBadge } from './bits.js';

function Evidence({ f }: { f: DeviceFinding }) {
  return (
    <ul class="evidence">
      {f.evidence.map((e, i) => <li key={i}><span class="muted">{e.section}:</span> {e.detail}</li>)}
    </ul>
  );
}

/** An open finding: what it breaks in Zoom, its evidence, the remedy and the Fix button. */
function OpenCard({ f, inFlight, canFix, onFix }: {
  f: DeviceFinding;
  inFlight: CommandView | undefined;
  canFix: boolean;
  onFix: (action: Action, why: string) => void;
}) {
  const action = f.remedy.action;
  const breaks = findingInfo(f.id).breaks;
  return (
    <li class={`finding finding-${f.severity} finding-state-open`} data-finding-key={f.key} data-state="open">
      <div class="finding-head">
        <SeverityBadge severity={f.severity} />
        <h3>{f.title}</h3>
      </div>
      {breaks && <p class="breaks"><strong>In Zoom:</strong> {breaks}.</p>}
      <Evidence f={f} />
      <p class="remedy"><strong>Remedy:</strong> {f.remedy.summary}</p>
      {action && inFlight && <p class="note" role="status">A fix is on its way: {COMMAND_STATUS_WORDS[inFlight.status]}.</p>}
      {action && !inFlight && canFix && (
        <button type="button" class="primary" onClick={() => onFix(action, f.title)}>Fix: {actionLabel(action)}…</button>
      )}
      {!action && <p class="muted">No automatic fix: this needs a person.</p>}
      <p class="muted small">First seen {ago(f.firstSeenAt)}, last seen {ago(f.lastSeenAt)}</p>
    </li>
  );
}

/**
 * A finding fixed and waiting for the user's consent: not a problem card. Its evidence is what was
 * seen before the fix (last on `lastSeenAt`), folded away and labelled so.
 */
function AwaitingCard({ f }: { f: DeviceFinding }) {
  return (
    <li class="finding finding-state-awaiting-consent" data-finding-key={f.key} data-state="awaiting-consent">
      <div class="finding-head">
        <FindingStateBadge state="awaiting-consent" />
        <h3>{f.title}</h3>
      </div>
      <p>The fix ran. macOS asks the user the next time Zoom wants it; this clears once they allow.</p>
      <details class="stale-evidence">
        <summary>What was seen before the fix ({dateTime(f.lastSeenAt)})</summary>
        <Evidence f={f} />
      </details>
    </li>
  );
}

/**
 * The device's findings as they are: open ones most serious first, with what each breaks in Zoom,
 * evidence, remedy and a Fix button (hidden for viewers, replaced by the status of a fix already in
 * flight); then the ones fixed and waiting for the user, apart. Resolved findings are not here:
 * they are in the History panel.
 */
export function Findings({ findings, commands, canFix, onFix }: {
  findings: DeviceFinding[];
  commands: CommandView[];
  canFix: boolean;
  onFix: (action: Action, why: string) => void;
}) {
  const open = findings
    .filter((f) => f.state === 'open')
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.title.localeCompare(b.title));
  const awaiting = findings.filter((f) => f.state === 'awaiting-consent');
  const inFlight = (action: Action | undefined) =>
    action ? commands.find((c) => !isTerminal(c.status) && sameAction(c.action, action)) : undefined;
  return (
    <>
      {open.length === 0 ? (
        <p class="all-good">Nothing open stops this Mac from joining a call.</p>
      ) : (
        <ul class="findings">
          {open.map((f) => <OpenCard key={f.key} f={f} inFlight={inFlight(f.remedy.action)} canFix={canFix} onFix={onFix} />)}
        </ul>
      )}
      {awaiting.length > 0 && (
        <>
          <h3 class="awaiting-title">Fixed, waiting for the user</h3>
          <ul class="findings">
            {awaiting.map((f) => <AwaitingCard key={f.key} f={f} />)}
          </ul>
        </>
      )}
    </>
  );
}
