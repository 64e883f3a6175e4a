import type { FindingChanges } from '../api/types.js';
import { changeWords, uncomparedWords } from '../model/changes.js';

/** What changed on a finding's Macs just before it appeared, most shared first, in words. */
export function ChangesBefore({ finding, windowHours }: { finding: FindingChanges; windowHours: number }) {
  const note = uncomparedWords(finding, windowHours);
  return (
    <>
      {finding.changes.length > 0 && (
        <ul class="changes" data-finding={finding.findingId}>
          {finding.changes.map((c) => (
            <li key={`${c.section}:${c.change}`}>
              <span class="change-share">{c.devices} of {finding.devices}</span>{' '}
              <span class="change-text">{changeWords(finding, c, windowHours).replace(/^\d+ of \d+ /, '')}</span>
            </li>
          ))}
        </ul>
      )}
      {note && <p class="muted small">{note}</p>}
    </>
  );
}
