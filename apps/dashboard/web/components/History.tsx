import type { DeviceHistory } from '../api/types.js';
import { findingInfo } from '../model/findings.js';
import { dateTime } from '../model/words.js';

const STATE_WORDS: Record<string, string> = { open: 'open', 'awaiting-consent': 'fixed, waiting for the user', resolved: 'resolved' };
const words = (state: string | null) => (state == null ? 'first seen' : (STATE_WORDS[state] ?? state));

/** Recent finding transitions (first seen, resolved, reopened, awaiting consent) and section changes, newest first. */
export function History({ history }: { history: DeviceHistory }) {
  const rows = [
    ...history.findingTransitions.map((t) => ({
      at: t.at,
      key: `f${t.id}`,
      text: `${findingInfo(t.ruleId).title}: ${t.fromState == null ? 'first seen' : `${words(t.fromState)} → ${words(t.toState)}`}`,
      bad: t.toState === 'open',
    })),
    ...history.sectionChanges.map((c) => ({ at: c.changedAt, key: `s${c.id}`, text: `${c.section} facts changed (${c.status})`, bad: false })),
  ].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 15);
  if (rows.length === 0) return <p class="muted">No history yet.</p>;
  return (
    <ol class="history">
      {rows.map((r) => (
        <li key={r.key}>
          <span class="muted mono">{dateTime(r.at)}</span> <span class={r.bad ? 'bad-text' : undefined}>{r.text}</span>
        </li>
      ))}
    </ol>
  );
}
