import type { RestartView, SoftwareUpdateFacts } from '@fleetmedic/protocol';
import { ago, dateTime } from '../model/words.js';

/** "Yes (booted … after the reset of …)" / "No: …" / why it is unknown. */
export function restartWords(r: RestartView): string {
  if (r.lastTccResetAt === null) return 'no permission reset run on this Mac';
  if (r.lastBootAt === null) return `unknown: no boot time reported (last permission reset ${dateTime(r.lastTccResetAt)})`;
  return r.restartedSinceTccReset
    ? `yes: booted ${dateTime(r.lastBootAt)}, after the permission reset of ${dateTime(r.lastTccResetAt)}`
    : `no: last boot ${dateTime(r.lastBootAt)} is before the permission reset of ${dateTime(r.lastTccResetAt)}; restart the Mac`;
}

/** Pending updates (label, title, version, recommended, restart) with the list's age, and the last boot. */
export function SoftwareUpdates({ data }: { data: SoftwareUpdateFacts }) {
  return (
    <>
      <dl class="facts">
        <div><dt>Last boot</dt><dd>{data.lastBootAt ? `${dateTime(data.lastBootAt)} (${ago(data.lastBootAt)})` : <span class="bad">could not be read</span>}</dd></div>
        <div><dt>List checked</dt><dd>{data.checkedAt ? `${dateTime(data.checkedAt)} (${ago(data.checkedAt)}; run at most once a day)` : 'never'}</dd></div>
      </dl>
      {data.updates === null ? <p class="bad">softwareupdate --list could not be read.</p>
        : data.updates.length === 0 ? <p>No software update pending.</p>
          : (
            <div class="table-wrap">
              <table class="stack">
                <caption class="sr-only">Pending software updates</caption>
                <thead><tr><th scope="col">Title</th><th scope="col">Version</th><th scope="col">Recommended</th><th scope="col">Restart</th><th scope="col">Label</th></tr></thead>
                <tbody>
                  {data.updates.map((u) => (
                    <tr key={u.label}>
                      <td data-label="Title">{u.title ?? '?'}</td>
                      <td data-label="Version">{u.version ?? '?'}</td>
                      <td data-label="Recommended">{u.recommended === null ? '?' : u.recommended ? 'yes' : 'no'}</td>
                      <td data-label="Restart">{u.restartRequired ? 'needed' : 'no'}</td>
                      <td data-label="Label" class="mono">{u.label}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
    </>
  );
}
