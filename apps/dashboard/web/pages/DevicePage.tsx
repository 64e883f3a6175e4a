import { useState } from 'preact/hooks';
import { LATER_SECTION_NAMES, type Action } from '@fleetmedic/protocol';
import type { CommandView, DeviceDetail } from '../api/types.js';
import { useApp, useLoad } from '../app-context.js';
import { ErrorBox, HealthBadge, Online, Panel } from '../components/bits.js';
import { CommandOutput, CommandSteps } from '../components/CommandProgress.js';
import { Findings } from '../components/Findings.js';
import { Firewall } from '../components/Firewall.js';
import { History } from '../components/History.js';
import { FixDialog, type FixTarget } from '../components/FixDialog.js';
import { LaterSectionPanel, SECTION_PANELS } from '../components/SectionPanels.js';
import { restartWords } from '../components/SoftwareUpdates.js';
import { SectionNote, Sources } from '../components/SectionNote.js';
import { TccTable } from '../components/TccTable.js';
import { UsbTree } from '../components/UsbTree.js';
import { canFix } from '../session.js';
import { actionLabel, ago, dateTime, powerWords } from '../model/words.js';

const COLLECT: Action = { type: 'agent.collect', params: {} };

/** Subjects of open usb.power.insufficient findings (the key after "usb.power.insufficient:"). */
function flaggedUsb(detail: DeviceDetail): Set<string> {
  return new Set(
    detail.findings
      .filter((f) => f.id === 'usb.power.insufficient' && f.state !== 'resolved')
      .map((f) => f.key.slice(f.key.indexOf(':') + 1)),
  );
}

function Versions({ d }: { d: DeviceDetail }) {
  const os = d.sections.os?.data;
  const zoom = d.sections.zoom?.data;
  return (
    <>
      <dl class="facts">
        <div><dt>macOS</dt><dd>{os ? `${os.productName} ${os.productVersion}${os.productVersionExtra ? ` ${os.productVersionExtra}` : ''} (${os.buildVersion})` : 'unknown'}</dd></div>
        <div><dt>Zoom</dt><dd>{zoom ? (zoom.installed ? (zoom.shortVersion ?? zoom.version ?? 'installed, version unknown') : <span class="bad">not installed</span>) : 'unknown'}</dd></div>
        {zoom?.installed && <div><dt>Zoom app</dt><dd class="mono">{zoom.appPath}</dd></div>}
        <div><dt>Model</dt><dd>{d.device.hardwareModel ?? 'unknown'}{d.device.architecture ? ` · ${d.device.architecture}` : ''}</dd></div>
        <div><dt>Console user</dt><dd>{d.device.consoleUser ?? 'nobody logged in'}</dd></div>
        <div><dt>Last report</dt><dd>{dateTime(d.device.lastReportAt)} ({ago(d.device.lastReportAt)})</dd></div>
        <div><dt>Last boot</dt><dd data-testid="last-boot">{d.restart.lastBootAt ? `${dateTime(d.restart.lastBootAt)} (${ago(d.restart.lastBootAt)})` : 'not reported'}</dd></div>
        <div><dt>Restarted since last permission reset</dt><dd data-testid="restarted-since-reset" class={d.restart.restartedSinceTccReset === false ? 'warn-text' : undefined}>{restartWords(d.restart)}</dd></div>
      </dl>
      <SectionNote d={d} name="os" />
      <SectionNote d={d} name="zoom" />
    </>
  );
}

function Commands({ commands }: { commands: CommandView[] }) {
  if (commands.length === 0) return <p class="muted">No commands sent to this Mac yet.</p>;
  return (
    <ul class="commands">
      {commands.map((c) => (
        <li key={c.id} class="cmd" data-command-id={c.id} data-status={c.status}>
          <details>
            <summary>
              <strong>{actionLabel(c.action)}</strong>{' '}
              <span class={`cmd-badge status-${c.status}`}>{c.status.replace('_', ' ')}</span>{' '}
              <span class="muted">{dateTime(c.createdAt)}{c.createdBy ? ` by ${c.createdBy}` : ''}</span>
            </summary>
            <CommandSteps c={c} />
            <CommandOutput c={c} />
          </details>
        </li>
      ))}
    </ul>
  );
}

/** One Mac: can it join a call, why not, the fix, and every fact behind it. */
export function DevicePage({ id }: { id: string }) {
  const { api, session } = useApp();
  const [fix, setFix] = useState<FixTarget | null>(null);
  const loaded = useLoad(
    () => api.device(id),
    [api, id],
    (e) => e.type === 'resync' || e.deviceId === id,
  );
  const history = useLoad(() => api.history(id, 30), [api, id], (e) => e.type === 'resync' || (e.type === 'device.updated' && e.deviceId === id));
  if (loaded.error) {
    // 400 (not a device id) and 404 (no such device) both mean: this link leads to no Mac.
    const noSuchMac = loaded.error.status === 400 || loaded.error.notFound;
    return (
      <div class="page">
        <p><a href="#/devices">← Devices</a></p>
        {noSuchMac
          ? (
            <div class="error" role="alert">
              <strong>No Mac has the id “{id}”.</strong> The link may be mistyped, or the Mac was removed.{' '}
              Find it by hostname or serial number in the <a href="#/devices">device list</a>.
            </div>
          )
          : <ErrorBox error={loaded.error} what="this device" />}
      </div>
    );
  }
  const d = loaded.data;
  if (!d) return <div class="page"><p role="status">Loading…</p></div>;
  const allowed = canFix(session.role);
  const openFix = (action: Action, why: string) =>
    setFix({ deviceId: d.device.id, hostname: d.device.hostname, serialNumber: d.device.serialNumber, online: d.device.online, action, why });
  const s = d.sections;

  return (
    <div class="page device">
      <p class="crumbs"><a href="#/devices">← Devices</a></p>
      <div class="device-head">
        <h1>{d.device.hostname}</h1>
        <HealthBadge health={d.device.health} />
        <Online online={d.device.online} lastSeenAt={d.device.lastSeenAt} />
        <span class="muted mono">{d.device.serialNumber ?? 'no serial'}</span>
        {allowed && (
          <button type="button" class="secondary" onClick={() => openFix(COLLECT, 'Fresh facts now')}>Collect now…</button>
        )}
      </div>
      {d.device.unknownSections.length > 0 && (
        <p class="note">Could not judge: {d.device.unknownSections.join(', ')} (facts could not be read).</p>
      )}
      {d.device.notReportedSections.length > 0 && (
        <p class="note note-not-reported">Not reported by this agent version: {d.device.notReportedSections.join(', ')}.</p>
      )}
      <nav class="toc" aria-label="On this page">
        <a href="#findings" onClick={jump}>Findings</a>{' '}
        {SECTION_PANELS.map((p) => <span key={p.id}><a href={`#${p.id}`} onClick={jump}>{p.nav}</a>{' '}</span>)}
        <a href="#commands" onClick={jump}>Commands</a> <a href="#history" onClick={jump}>History</a>
      </nav>

      <Panel id="findings" title="Why this Mac cannot join a call">
        <Findings findings={d.findings} commands={d.commands} canFix={allowed} onFix={openFix} />
      </Panel>
      <div class="columns">
        <Panel id="versions" title="Versions">
          <Versions d={d} />
        </Panel>
        <Panel id="power" title="Power">
          <SectionNote d={d} name="power" />
          {s.power?.data && <p>{powerWords(s.power.data)}{s.power.data.adapterName ? ` (${s.power.data.adapterName})` : ''}</p>}
          <Sources section={s.power} />
        </Panel>
      </div>
      <Panel id="tcc" title="Privacy permissions (TCC)">
        <SectionNote d={d} name="tcc" covered={s.tcc?.data?.databases.filter((db) => db.status !== 'ok').map((db) => db.path)} />
        {s.tcc?.data && <TccTable tcc={s.tcc.data} zoomBundleId={s.zoom?.data?.bundleId ?? undefined} />}
        <Sources section={s.tcc} />
      </Panel>
      <Panel id="firewall" title="Application firewall">
        <SectionNote d={d} name="firewall" />
        {s.firewall?.data && <Firewall fw={s.firewall.data} zoomAppPath={s.zoom?.data?.appPath} />}
        <Sources section={s.firewall} />
      </Panel>
      <Panel id="usb" title="USB devices and power">
        <SectionNote d={d} name="usb" />
        {s.usb?.data && <UsbTree usb={s.usb.data} flaggedKeys={flaggedUsb(d)} />}
        <Sources section={s.usb} />
      </Panel>
      {LATER_SECTION_NAMES.map((name) => <LaterSectionPanel key={name} d={d} name={name} />)}
      <div class="columns">
        <Panel id="commands" title="Commands">
          <Commands commands={d.commands} />
        </Panel>
        <Panel id="history" title="History">
          {history.error && <ErrorBox error={history.error} what="the history" />}
          {history.data && <History history={history.data} />}
        </Panel>
      </div>
      {fix && <FixDialog target={fix} onClose={() => setFix(null)} onSent={() => loaded.reload()} />}
    </div>
  );
}

/** In-page links: the hash holds the route, so scroll and focus the target instead of navigating. */
function jump(e: MouseEvent) {
  e.preventDefault();
  const id = (e.currentTarget as HTMLAnchorElement).getAttribute('href')!.slice(1);
  const target = document.getElementById(id);
  target?.scrollIntoView({ block: 'start' });
  target?.querySelector('h2')?.setAttribute('tabindex', '-1');
  target?.querySelector<HTMLElement>('h2')?.focus();
}
