/**
 * Joining the USB tree with the cameras macOS lists (SPCameraDataType): by vendor id, product id and
 * location id, never by name (names differ between the two reports and across locales).
 */
import type { Camera, UsbFacts } from '@fleetmedic/protocol';
import { walkUsb, type UsbWalkEntry } from './walk.js';

/** A USB device and the camera entry that is the same hardware. */
export interface CameraMatch {
  camera: Camera;
  usb: UsbWalkEntry;
}

/** The join: matched pairs, USB cameras macOS does not list as a camera, and listed cameras not on USB. */
export interface CameraJoin {
  matched: CameraMatch[];
  /** Devices the USB tree classifies as cameras with no SPCameraDataType entry (power, bandwidth, a failing device). */
  usbOnly: UsbWalkEntry[];
  /** Listed cameras with no USB device: Apple silicon built-in, virtual, Continuity, or a USB camera the tree lacks. */
  cameraOnly: Camera[];
}

const ids = (vendorId: number | null, productId: number | null) => (vendorId === null || productId === null ? null : `${vendorId}:${productId}`);

/**
 * Pairs each UVC camera (vendor and product id in its model id) with the USB device of the same ids:
 * at the same location id when the camera's unique id gives one, else the only device with those ids.
 * Any USB device can be matched (a webcam the tree names "USB Device" is still found); only devices
 * the tree classifies as `camera` count as unlisted when nothing matches them.
 */
export function joinCamerasWithUsb(usb: UsbFacts, cameras: Camera[]): CameraJoin {
  const entries = [...walkUsb(usb)];
  const byIds = new Map<string, UsbWalkEntry[]>();
  for (const e of entries) {
    const key = ids(e.device.vendorId, e.device.productId);
    if (key) byIds.set(key, [...(byIds.get(key) ?? []), e]);
  }
  const taken = new Set<UsbWalkEntry>();
  const matched: CameraMatch[] = [];
  const cameraOnly: Camera[] = [];
  for (const camera of cameras) {
    const candidates = (byIds.get(ids(camera.vendorId, camera.productId) ?? '') ?? []).filter((e) => !taken.has(e));
    const hit = camera.locationId !== null
      ? candidates.find((e) => e.device.locationId === camera.locationId)
      : candidates.length === 1 ? candidates[0] : undefined;
    if (hit) {
      taken.add(hit);
      matched.push({ camera, usb: hit });
    } else cameraOnly.push(camera);
  }
  const usbOnly = entries.filter((e) => e.device.kind === 'camera' && !taken.has(e));
  return { matched, usbOnly, cameraOnly };
}
