import type { FirewallFacts } from '@fleetmedic/protocol';
import { firewallStateWords } from '../model/words.js';

const yesNo = (v: boolean | null) => (v == null ? 'unknown' : v ? 'on' : 'off');

/** Application firewall (ALF): global state, stealth mode, signed-app allowances and the app list. */
export function Firewall({ fw, zoomAppPath = '/Applications/zoom.us.app' }: { fw: FirewallFacts; zoomAppPath?: string }) {
  const isZoom = (path: string | null, name: string | null) => Boolean(path?.startsWith(zoomAppPath) || name === 'us.zoom.xos');
  return (
    <>
      <dl class="facts">
        <div><dt>Firewall</dt><dd class={fw.globalState === 2 || fw.blockAll ? 'bad' : undefined}>{firewallStateWords(fw)}</dd></div>
        <div><dt>Stealth mode</dt><dd>{yesNo(fw.stealthMode)}</dd></div>
        <div><dt>Allow signed built-in software</dt><dd>{yesNo(fw.allowSignedBuiltIn)}</dd></div>
        <div><dt>Allow signed downloaded software</dt><dd>{yesNo(fw.allowSignedDownloaded)}</dd></div>
      </dl>
      {fw.apps === null ? (
        <p class="bad">The application list could not be read (socketfilterfw --listapps failed): whether Zoom is blocked is unknown.</p>
      ) : fw.apps.length === 0 ? (
        <p>No application listed.</p>
      ) : (
        <div class="table-wrap">
          <table class="fw-apps stack">
            <caption class="sr-only">Applications in the firewall list</caption>
            <thead><tr><th scope="col">Application</th><th scope="col">Incoming connections</th></tr></thead>
            <tbody>
              {fw.apps.map((a, i) => {
                const blocked = a.allowIncoming === false;
                return (
                  <tr key={i} class={blocked && isZoom(a.path, a.name) ? 'row-bad' : isZoom(a.path, a.name) ? 'row-zoom' : undefined}>
                    <td data-label="Application" class="mono">{a.path ?? a.name ?? '?'}</td>
                    <td data-label="Incoming"><span class={`decision decision-${blocked ? 'denied' : a.allowIncoming ? 'allowed' : 'other'}`}>
                      {a.allowIncoming == null ? 'unknown' : a.allowIncoming ? 'allowed' : 'blocked'}
                    </span></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
