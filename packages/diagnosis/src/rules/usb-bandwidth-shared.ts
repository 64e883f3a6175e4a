import { walkUsb, type UsbWalkEntry } from '@fleetmedic/macos';
import type { Finding, Snapshot, UsbDevice } from '@fleetmedic/protocol';
import { catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';
import { MEDIA_KINDS, usbLabel as label } from '../usb-power.js';

/** A hub whose upstream link runs at USB 2.0 high speed (480 Mb/s); the USB 2.0 half of a USB 3 hub too. */
const isUsb2Hub = (d: UsbDevice): boolean => d.kind === 'hub' && d.speed === 'high';

/**
 * `usb.bandwidth.shared`: two or more devices of kind camera or audio anywhere below one USB 2.0
 * (high-speed, 480 Mb/s) hub share that hub's upstream link. Reported once, at the topmost such hub
 * holding them (a nested USB 2.0 hub's devices also share every link above it). Evidence names the hub
 * and each device with its speed; key `usb.bandwidth.shared:<hub location id, else bus/hub name>`.
 */
export const usbBandwidthShared: Rule = {
  ...catalogHeader('usb.bandwidth.shared'),
  sections: ['usb'],
  evaluate(snapshot: Snapshot): Finding[] {
    const usb = sectionData(snapshot, 'usb');
    if (!usb) return [];
    const entries = [...walkUsb(usb)];
    const media = new Map<UsbDevice, UsbWalkEntry[]>();
    const parentOf = new Map(entries.map((e) => [e.device, e.parent]));
    for (const e of entries) {
      if (!MEDIA_KINDS.includes(e.device.kind)) continue;
      // The topmost USB 2.0 hub above the device: every link from there up is shared.
      let top: UsbDevice | null = null;
      for (let p = e.parent; p; p = parentOf.get(p) ?? null) if (isUsb2Hub(p)) top = p;
      if (top) media.set(top, [...(media.get(top) ?? []), e]);
    }
    return [...media].filter(([, devices]) => devices.length >= 2).map(([hub, devices]) => {
      const bus = entries.find((e) => e.device === hub)!.bus;
      const names = devices.map((e) => e.device.name.trim());
      return makeFinding('usb.bandwidth.shared', hub.locationId ?? `${bus.name}/${hub.name.trim()}`, [{
        section: 'usb',
        detail: `${devices.map((e) => `${label(e.device)} (${e.device.kind}, ${e.device.speed ?? 'speed unknown'} speed)`).join(' and ')}`
          + ` share the USB 2.0 hub ${label(hub)}: one 480 Mb/s link for all of them.`,
        value: { hub: hub.name, locationId: hub.locationId, devices: devices.map((e) => ({ name: e.device.name, kind: e.device.kind, locationId: e.device.locationId, speed: e.device.speed })) },
      }], { summary: `Connect ${names.slice(1).join(', ')} to another port of the Mac or a USB 3 hub, away from ${names[0]}.` });
    });
  },
};
