import type { Evidence, Finding, Snapshot, UsbDevice } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { usbLabel as label, usbPowerCauses, type OverBudgetHub, type StarvedDevice, type UsbPowerCause } from '../usb-power.js';

/** Each media kind in words, and what it breaks in Zoom when starved. */
const KIND: Record<string, { noun: string; breaks: string }> = {
  camera: { noun: 'a camera', breaks: 'the camera can drop out or video cannot start' },
  audio: { noun: 'an audio device', breaks: 'the microphone or headset can cut out' },
};

/** Why the device's own port falls short, in words, or null when it does not. */
function portWords(device: UsbDevice): string | null {
  const { availableMa, requiredMa, failedRequest } = device.power;
  if (availableMa != null && requiredMa != null && requiredMa > availableMa) return `requires ${requiredMa} mA but its port offers ${availableMa} mA`;
  if (!failedRequest) return null;
  const figures = [requiredMa != null && `${requiredMa} mA required`, availableMa != null && `${availableMa} mA available`].filter(Boolean).join(', ');
  return `macOS reports that its port could not supply the current it requested${figures ? ` (${figures})` : ''}`;
}

/** One line per starved device: its draw or its port's shortfall, and what it breaks in Zoom. */
function deviceEvidence({ entry: { device }, overPort }: StarvedDevice, throughHub: boolean): Evidence {
  const { noun, breaks } = KIND[device.kind]!;
  const required = device.power.requiredMa != null ? `requires ${device.power.requiredMa} mA` : 'draws a current not reported';
  const draw = (overPort ? portWords(device) : null) ?? `${required}${throughHub ? ' through this hub' : ''}`;
  return {
    section: 'usb',
    detail: `${label(device)}, ${noun}: ${draw}. In Zoom ${breaks}.`,
    value: { device: device.name, kind: device.kind, locationId: device.locationId, power: device.power, overPort },
  };
}

/** The hub's budget in mA: what its devices and itself require against what it can draw from its port. */
function hubEvidence({ hub, summary: s, ownMa }: OverBudgetHub, nested: boolean): Evidence {
  const kind = s.selfPowered === false ? 'bus-powered hub' : 'hub (no power supply detected)';
  const halves = s.companion ? ` with its other half ${label(s.companion)}` : '';
  return {
    section: 'usb',
    detail: `${nested ? 'Below it, the' : 'The'} ${kind} ${label(hub)}${halves}: its devices require ${s.childrenRequiredMa} mA`
      + `${ownMa ? ` plus ${ownMa} mA for the hub itself` : ''} but it can draw only ${s.budgetMa} mA from its port.`,
    value: {
      hub: hub.name, locationId: hub.locationId, companion: s.companion?.name ?? null, companionLocationId: s.companion?.locationId ?? null,
      budgetMa: s.budgetMa, childrenRequiredMa: s.childrenRequiredMa, ownMa, selfPowered: s.selfPowered,
    },
  };
}

function finding(cause: UsbPowerCause): Finding {
  const names = cause.media.map((m) => m.entry.device.name.trim());
  const [hub, ...nested] = cause.hubs;
  if (!hub) {
    return makeFinding('usb.power.insufficient', cause.subject, cause.media.map((m) => deviceEvidence(m, false)), {
      summary: `Connect ${names[0]} directly to the Mac or use a powered hub.`,
    });
  }
  return makeFinding('usb.power.insufficient', cause.subject, [
    hubEvidence(hub, false),
    ...nested.map((h) => hubEvidence(h, true)),
    ...cause.media.map((m) => deviceEvidence(m, true)),
  ], { summary: `Give the hub ${label(hub.hub)} its own power supply, or connect ${names.join(', ')} directly to the Mac.` });
}

/**
 * `usb.power.insufficient`: camera and audio devices that lack power, one finding per cause
 * (usbPowerCauses); no action (a physical fix).
 * - A hub over its bus-power budget (hubPowerSummary: not self-powered, own plus downstream
 *   required current above what it draws from its port; both halves of a USB3 hub are one hub):
 *   key `usb.power.insufficient:<hub location id, else bus/hub name path>` (the SuperSpeed half's
 *   for a USB3 hub). Evidence: the hub's budget in mA, any over-budget hub below it on the same
 *   chain, then one line per camera or audio device drawing through it. Only the topmost
 *   over-budget hub of a chain is a cause; a self-powered hub ends the chain.
 * - A device whose own port cannot supply it (required > available, or macOS's failedRequest)
 *   with no over-budget hub on its chain: key `usb.power.insufficient:<device location id, else
 *   bus/hub/name path>`. When such a device is behind an over-budget hub, the hub is the cause
 *   and the port shortfall is that device's line in the hub's finding, not a finding of its own:
 *   a starved hub's ports offer less (one unit load, 100 mA, on the old USB stack), so the port's
 *   figure is no separate fact while the hub is over budget, and both remedies (a power supply
 *   for the hub, or the device on the Mac) address it. A device still over its port once the hub
 *   has its own supply is its own finding at the next report.
 * Hubs over budget with no camera or audio device behind them raise nothing: Zoom does not use them.
 */
export const usbPowerInsufficient: Rule = {
  ...catalogHeader('usb.power.insufficient'),
  sections: ['usb'],
  evaluate(snapshot: Snapshot): Finding[] {
    const usb = sectionData(snapshot, 'usb');
    return usb ? usbPowerCauses(usb).map(finding) : [];
  },
};
