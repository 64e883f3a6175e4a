import { useState } from 'preact/hooks';
import type { TccFacts } from '@fleetmedic/protocol';
import { tccEmptyWords, tccProblems, tccRows } from '../model/tcc.js';
import { dateTime } from '../model/words.js';

/** TCC permissions: service, app, allowed/denied, why (auth_reason), when (last_modified), which TCC.db. */
export function TccTable({ tcc, zoomBundleId }: { tcc: TccFacts; zoomBundleId?: string }) {
  const [all, setAll] = useState(false);
  const rows = tccRows(tcc, zoomBundleId);
  const problems = tccProblems(tcc);
  const callRows = rows.filter((r) => r.callService || r.isZoom);
  const shown = all ? rows : callRows;
  return (
    <>
      {problems.map((p) => (
        <div class="note note-unavailable" role="note" key={p.path}>
          <strong>{p.database} TCC.db {p.status}:</strong> {p.reason} <code>{p.path}</code>
        </div>
      ))}
      <div class="table-wrap">
        <table class="tcc stack">
          <caption class="sr-only">TCC permissions</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">App</th>
              <th scope="col">Decision</th>
              <th scope="col">Why</th>
              <th scope="col">When</th>
              <th scope="col">TCC.db</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && <tr class="tcc-empty"><td colSpan={6}>{tccEmptyWords(tcc)}</td></tr>}
            {shown.map((r, i) => (
              <tr key={`${r.database}|${r.service}|${r.client}|${i}`} class={r.denied && r.callService && r.isZoom ? 'row-bad' : r.isZoom ? 'row-zoom' : undefined}>
                <td data-label="Service" title={r.service}>{r.serviceLabel}</td>
                <td data-label="App" class="mono">{r.client}</td>
                <td data-label="Decision"><span class={`decision decision-${r.denied ? 'denied' : r.decision === 'allowed' ? 'allowed' : r.decision === 'unknown' ? 'unknown' : 'other'}`}>{r.decision}</span></td>
                <td data-label="Why">{r.why ?? '—'}</td>
                <td data-label="When">{dateTime(r.when)}</td>
                <td data-label="TCC.db">{r.database}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > callRows.length && (
        <button type="button" class="link-button" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Show only camera, microphone and screen recording' : `Show all ${rows.length} rows`}
        </button>
      )}
    </>
  );
}
