import type { UsbFacts } from '@fleetmedic/protocol';
import { barFraction, usbTree, type UsbNode } from '../model/usb.js';

const KIND_WORDS: Record<string, string> = { hub: 'Hub', camera: 'Camera', audio: 'Audio', storage: 'Storage', input: 'Input', other: 'Device' };

/** A horizontal bar: `used` of `total` mA, red when over. */
function Bar({ label, used, total, over, risk = false }: { label: string; used: number | null; total: number | null; over: boolean; risk?: boolean }) {
  const text = used == null && total == null
    ? `${label}: not reported`
    : `${label}: ${used ?? '?'} of ${total ?? '?'} mA`;
  return (
    <span class={`bar${over ? (risk ? ' bar-risk' : ' bar-over') : ''}`}>
      <span class="bar-label">{text}</span>
      <span class="bar-track" aria-hidden="true">
        <span class="bar-fill" style={{ width: `${barFraction(used, total) * 100}%` }} />
      </span>
    </span>
  );
}

function Node({ node }: { node: UsbNode }) {
  const d = node.device;
  const hub = node.hub;
  return (
    <li class={`usb-node${node.problem ? ' usb-problem' : ''}`}>
      <div class="usb-card">
        <div class="usb-name">
          <span class={`kind kind-${d.kind}`}>{KIND_WORDS[d.kind] ?? d.kind}</span>
          <strong>{d.name.trim()}</strong>
          {d.vendorName && <span class="muted"> · {d.vendorName}</span>}
          {d.locationId && <span class="muted mono"> · {d.locationId}</span>}
          {node.problem && <span class="flag">Power problem</span>}
        </div>
        <div class="usb-bars">
          {(node.drawMa != null || node.portMa != null || node.overPort) && (
            <Bar label="Draw" used={node.drawMa} total={node.portMa} over={node.overPort} />
          )}
          {hub && hub.budgetMa != null && (
            <Bar
              label={hub.selfPowered === false ? 'Hub budget (bus-powered)' : 'Hub budget if bus-powered'}
              used={hub.demandMa}
              total={hub.budgetMa}
              over={hub.over}
              risk={hub.selfPowered == null}
            />
          )}
          {hub && hub.budgetMa == null && (
            <span class="muted">
              {hub.selfPowered ? 'Self-powered hub' : 'Hub budget not reported'}; hub and children draw {hub.demandMa} mA
            </span>
          )}
          {hub?.over && hub.selfPowered == null && !node.problem && (
            <span class="warn-text">Over budget if this hub is bus-powered (macOS does not say)</span>
          )}
          {node.overPort && d.power.failedRequest && <span class="bad-text">macOS: the port could not supply the requested current</span>}
        </div>
      </div>
      {node.children.length > 0 && (
        <ul class="usb-children">{node.children.map((c) => <Node key={c.key} node={c} />)}</ul>
      )}
    </li>
  );
}

/**
 * The USB tree: buses, hubs and devices; each hub with its budget and each device with its draw
 * as bars (mA); in red, what an open usb.power.insufficient finding names (a device, or a hub with
 * the devices drawing through it, see usbTree) and devices over their port.
 */
export function UsbTree({ usb, flaggedKeys }: { usb: UsbFacts; flaggedKeys: ReadonlySet<string> }) {
  const views = usbTree(usb, flaggedKeys);
  const used = views.filter((v) => v.nodes.length > 0);
  const empty = views.length - used.length;
  if (used.length === 0) return <p>No USB devices attached{views.length ? ` (${views.length} ${views.length === 1 ? 'bus' : 'buses'})` : ''}.</p>;
  return (
    <div class="usb">
      {used.map((v, i) => (
        <div class="usb-bus" key={`${v.bus.name}-${i}`}>
          <h3>
            {v.bus.name}
            {v.bus.controller && <span class="muted"> · {v.bus.controller}</span>}
          </h3>
          <ul class="usb-children usb-root">{v.nodes.map((n) => <Node key={n.key} node={n} />)}</ul>
        </div>
      ))}
      {empty > 0 && <p class="muted">{empty} more {empty === 1 ? 'bus' : 'buses'} with nothing attached.</p>}
    </div>
  );
}
