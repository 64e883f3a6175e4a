import { hubPowerSummary, joinCamerasWithUsb, type UsbWalkEntry } from '@fleetmedic/macos';
import type { Finding, Snapshot, UsbDevice, UsbFacts } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

const hex4 = (n: number | null): string => (n === null ? '?' : n.toString(16).padStart(4, '0'));
const ma = (v: number | null | undefined): string => (v == null ? 'unknown' : `${v} mA`);

/** The hub above the camera and its power budget in words and values (or the bus it sits on directly). */
function hubEvidence(entry: UsbWalkEntry, usb: UsbFacts): { words: string; value: Record<string, unknown> } {
  const hub: UsbDevice | null = entry.parent;
  if (!hub) return { words: `directly on ${entry.bus.name} (no hub)`, value: { hub: null, bus: entry.bus.name } };
  const p = hubPowerSummary(hub, usb);
  const powered = p.selfPowered === true ? 'self-powered' : p.selfPowered === false ? 'bus-powered' : 'power source unknown';
  const budget = p.budgetMa === null ? 'no per-hub budget (self-powered or not reported)' : `budget ${p.budgetMa} mA`;
  return {
    words: `behind the hub ${hub.name.trim()}${hub.locationId ? ` (${hub.locationId})` : ''}, ${hub.speed ?? 'unknown'} speed, ${powered}, ${budget}, its devices require ${p.childrenRequiredMa} mA`,
    value: { hub: hub.name, hubLocationId: hub.locationId, hubSpeed: hub.speed, selfPowered: p.selfPowered, budgetMa: p.budgetMa, childrenRequiredMa: p.childrenRequiredMa, overBudget: p.overBudget },
  };
}

/**
 * `devices.camera.unlisted`: a device the USB tree classifies as a camera that no SPCameraDataType
 * entry matches by vendor id, product id and location id (joinCamerasWithUsb; never by name). One
 * finding per camera, key `devices.camera.unlisted:<location id, else bus/name>`; the evidence names
 * the hub above it with its power budget, and the camera's own current required and available.
 * Needs both the camera list and the USB tree; a camera list that could not be read: cannot judge.
 */
export const devicesCameraUnlisted: Rule = {
  ...catalogHeader('devices.camera.unlisted'),
  sections: ['devices', 'usb'],
  evaluate(snapshot: Snapshot): Finding[] {
    const devices = sectionData(snapshot, 'devices');
    const usb = sectionData(snapshot, 'usb');
    if (!devices || !usb) return [];
    if (devices.cameras === null) throw new CannotJudge('devices', 'the camera list (system_profiler SPCameraDataType) could not be read');
    return joinCamerasWithUsb(usb, devices.cameras).usbOnly.map((entry) => {
      const d = entry.device;
      const hub = hubEvidence(entry, usb);
      const listed = devices.cameras!.map((c) => c.name).join(', ') || 'none';
      return makeFinding('devices.camera.unlisted', d.locationId ?? `${entry.bus.name}/${d.name.trim()}`, [{
        section: 'usb',
        detail: `${d.name.trim()} (USB ${hex4(d.vendorId)}:${hex4(d.productId)}${d.locationId ? ` at ${d.locationId}` : ''}, ${d.speed ?? 'unknown'} speed, `
          + `requires ${ma(d.power.requiredMa)} of ${ma(d.power.availableMa)} available) is in the USB tree ${hub.words}.`,
        value: { name: d.name, vendorId: d.vendorId, productId: d.productId, locationId: d.locationId, speed: d.speed, requiredMa: d.power.requiredMa, availableMa: d.power.availableMa, ...hub.value },
      }, {
        section: 'devices',
        detail: `macOS lists these cameras, none of them this device: ${listed}.`,
        value: { cameras: devices.cameras!.map((c) => ({ name: c.name, vendorId: c.vendorId, productId: c.productId, locationId: c.locationId })) },
      }], { summary: `Connect ${d.name.trim()} directly to the Mac or to a powered USB 3 hub, away from other cameras; if it still is not listed, try another cable or camera.` });
    });
  },
};
