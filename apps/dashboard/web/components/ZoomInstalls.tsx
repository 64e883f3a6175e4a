import { ZOOM_TEAM_ID, type ZoomInstallsFacts } from '@fleetmedic/protocol';
import type { DeviceDetail } from '../api/types.js';

/** Every Zoom copy with its signature, and each user's Zoom data folders with size and age (against the last report). */
export function ZoomInstalls({ d, data }: { d: DeviceDetail; data: ZoomInstallsFacts }) {
  const reportedAt = d.device.lastReportAt ? Date.parse(d.device.lastReportAt) : null;
  const present = data.dataFolders.filter((f) => f.exists);
  return (
    <>
      {data.installs.length === 0 ? <p>No zoom.us.app found.</p> : (
        <div class="table-wrap">
          <table class="stack">
            <caption class="sr-only">Zoom copies</caption>
            <thead><tr><th scope="col">Copy</th><th scope="col">Signature</th><th scope="col">Team ID</th></tr></thead>
            <tbody>
              {data.installs.map((i) => {
                const bad = i.signature?.valid === false || (i.signer !== null && i.signer.teamId !== ZOOM_TEAM_ID);
                return (
                  <tr key={i.appPath} class={bad ? 'row-bad' : undefined}>
                    <td data-label="Copy"><span class="mono">{i.appPath}</span>{i.version ? ` ${i.version}` : ''}</td>
                    <td data-label="Signature">{i.signature === null ? <span class="bad">could not be read</span> : i.signature.valid ? 'valid' : `${i.signature.reason}${i.signature.details.length ? ` (${i.signature.details.join('; ')})` : ''}`}</td>
                    <td data-label="Team ID">{i.signer === null ? <span class="bad">could not be read</span> : `${i.signer.teamId ?? 'none'}${i.signer.teamId === ZOOM_TEAM_ID ? ' (Zoom)' : ''}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {present.length === 0 ? <p>No Zoom data folders.</p> : (
        <ul>
          {present.map((f) => (
            <li key={f.path}>
              <span class="mono">{f.path}</span>: {f.sizeBytes === null ? <span class="bad">{f.problem ?? 'could not be measured'}</span> : `${f.sizeBytes} bytes`}
              {f.modifiedAt && reportedAt !== null ? `, last written ${Math.max(0, Math.round((reportedAt - Date.parse(f.modifiedAt)) / 1000))} s before the report` : ''}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
