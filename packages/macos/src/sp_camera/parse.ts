import type { Camera } from '@fleetmedic/protocol';
import { failed, jsonArrayAt, parsed, type ParseResult } from '../result.js';
import { buildTextTree } from '../usb/indented.js';

/** "UVC Camera VendorID_1452 ProductID_34068": a USB camera's ids, in decimal. */
const UVC_MODEL = /VendorID_(\d{1,5}) ProductID_(\d{1,5})/;

/**
 * A Camera from the three strings system_profiler gives. For a UVC camera the unique id is
 * (location id << 32) | (vendor id << 16) | product id, so the location id is read back only
 * when the low 32 bits match the model id's vendor and product ids.
 */
export function makeCamera(name: string, modelId: string | null, uniqueId: string | null): Camera {
  const m = UVC_MODEL.exec(modelId ?? '');
  const vendorId = m ? Number(m[1]) : null;
  const productId = m ? Number(m[2]) : null;
  let locationId: string | null = null;
  if (vendorId !== null && productId !== null && vendorId <= 0xffff && productId <= 0xffff && /^0x[0-9a-f]{9,16}$/i.test(uniqueId ?? '')) {
    const v = BigInt(uniqueId!);
    if ((v & 0xffffffffn) === BigInt((vendorId << 16) + productId)) locationId = `0x${((v >> 32n) & 0xffffffffn).toString(16).padStart(8, '0')}`;
  }
  return { name, modelId, uniqueId, vendorId: vendorId !== null && vendorId <= 0xffff ? vendorId : null, productId: productId !== null && productId <= 0xffff ? productId : null, locationId };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * `system_profiler -json SPCameraDataType` -> every camera. Keys `spcamera_model-id` /
 * `spcamera_unique-id` (hyphen; older releases wrote `_model_id`); `"SPCameraDataType" : [ ]` is a Mac
 * with no camera (a valid, empty list). Items without `_name` are skipped with a problem. Fails on
 * non-JSON or a missing SPCameraDataType array. Sources: recorded-macs/extra-captures/SPCameraDataType-json-*.
 */
export function parseSpCameraJson(text: string): ParseResult<Camera[]> {
  const doc = jsonArrayAt(text, 'SPCameraDataType', 'system_profiler output');
  if (!doc.ok) return doc;
  const items = doc.value;
  const problems: string[] = [];
  const cameras: Camera[] = [];
  items.forEach((raw, i) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const name = str(item._name);
    if (!name) {
      problems.push(`camera ${i + 1} has no _name: skipped`);
      return;
    }
    cameras.push(makeCamera(name, str(item['spcamera_model-id'] ?? item.spcamera_model_id), str(item['spcamera_unique-id'] ?? item.spcamera_unique_id)));
  });
  return parsed(cameras, problems);
}

/**
 * `system_profiler SPCameraDataType` text -> every camera: a "Camera:" header, one header per camera,
 * "Model ID:" and "Unique ID:" under it (labels are not localized). Lines before "Camera:" (a prompt)
 * are skipped. Fails without a "Camera:" header: the text form prints nothing for a Mac without a
 * camera, so empty text cannot be told from "not run" — collectors use the JSON form.
 * Sources: shared/fixtures/macos/camera, recorded-macs/extra-captures/SPCameraDataType-text-*.
 */
export function parseSpCameraText(text: string): ParseResult<Camera[]> {
  const tree = buildTextTree(text);
  const root = tree.roots.find((n) => n.title === 'Camera');
  if (!root) return failed('no "Camera:" header in system_profiler SPCameraDataType output', tree.problems);
  const cameras = root.children
    .filter((n) => n.title)
    .map((n) => makeCamera(n.title!, n.props.get('Model ID') ?? null, n.props.get('Unique ID') ?? null));
  return parsed(cameras, tree.problems);
}
