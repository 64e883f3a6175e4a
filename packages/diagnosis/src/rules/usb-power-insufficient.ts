import { hubPowerSummary, walkUsb, type UsbWalkEntry } from '@fleetmedic/macos';
import type { Evidence, Finding, Snapshot, UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

const MEDIA_KINDS: UsbDevice['kind'][] = ['camera', 'audio'];

const label = (d: UsbDevice): string => `${d.name.trim()}${d.locationId ? ` (${d.locationId})` : ''}`;

/** The device's own port: required > available, or macOS's failed-request flag, with mA figures. */
function portProblem(device: UsbDevice): Evidence | null {
  const { availableMa, requiredMa, failedRequest } = device.power;
  const value = { device: device.name, locationId: device.locationId, power: device.power };
  if (availableMa != null && requiredMa != null && requiredMa > availableMa) {
    return { section: 'usb', detail: `${label(device)} requires ${requiredMa} mA but its port offers ${availableMa} mA.`, value };
  }
  if (!failedRequest) return null;
  const figures = [requiredMa != null && `${requiredMa} mA required`, availableMa != null && `${availableMa} mA available`]
    .filter(Boolean).join(', ');
  return {
    section: 'usb',
    detail: `macOS reports that the port could not supply the current ${label(device)} requested${figures ? ` (${figures})` : ''}.`,
    value,
  };
}

/**
 * A hub above the device that is over its bus-power budget, per @fleetmedic/macos
 * hubPowerSummary: not self-powered (known, or inferred from the ≤150 mA its ports offer), and
 * its own plus its downstream devices' required current exceeds what it draws from its port; both
 * halves of a USB3 hub are judged as one. Powered display hubs (ports offering 500/900 mA) are not.
 */
function hubProblem(device: UsbDevice, hub: UsbDevice, usb: UsbFacts): Evidence | null {
  const s = hubPowerSummary(hub, usb);
  if (!s.overBudget || s.budgetMa == null) return null;
  const ownMa = Math.max(0, ...[hub, s.companion].map((h) => h?.power.requiredMa ?? 0));
  const kind = s.selfPowered === false ? 'bus-powered hub' : 'hub (no power supply detected)';
  return {
    section: 'usb',
    detail: `${label(device)} is behind the ${kind} ${label(hub)}, whose devices require ${s.childrenRequiredMa} mA`
      + `${ownMa ? ` plus ${ownMa} mA for the hub itself` : ''} but it can draw only ${s.budgetMa} mA from its port.`,
    value: { hub: hub.name, locationId: hub.locationId, ...s, companion: s.companion?.name ?? null, ownMa },
  };
}

/** The hubs above an entry, nearest first. */
function ancestors(entry: UsbWalkEntry, parents: Map<UsbDevice, UsbDevice | null>): UsbDevice[] {
  const out: UsbDevice[] = [];
  for (let p = entry.parent; p; p = parents.get(p) ?? null) out.push(p);
  return out;
}

/**
 * `usb.power.insufficient`: a USB device of kind camera or audio with power.failedRequest, or
 * current required > current available, or behind a hub over its bus-power budget. One finding
 * per device, evidence per reason, key `usb.power.insufficient:<location id, else bus/hub/name path>`;
 * no action (a physical fix).
 */
export const usbPowerInsufficient: Rule = {
  ...catalogHeader('usb.power.insufficient'),
  sections: ['usb'],
  evaluate(snapshot: Snapshot): Finding[] {
    const usb = sectionData(snapshot, 'usb');
    if (!usb) return [];
    const entries = [...walkUsb(usb)];
    const parents = new Map(entries.map((e) => [e.device, e.parent]));
    return entries
      .filter((e) => MEDIA_KINDS.includes(e.device.kind))
      .flatMap((entry) => {
        const { device } = entry;
        const above = ancestors(entry, parents);
        const evidence = [portProblem(device), ...above.map((hub) => hubProblem(device, hub, usb))]
          .filter((e): e is Evidence => e !== null);
        if (evidence.length === 0) return [];
        const subject = device.locationId
          ?? [entry.bus.name, ...above.reverse().map((a) => a.name.trim()), device.name.trim()].join('/');
        return [makeFinding('usb.power.insufficient', subject, evidence, {
          summary: `Connect ${device.name.trim()} directly to the Mac or use a powered hub.`,
        })];
      });
  },
};
