/**
 * Shared normalisation of USB values from every source (system_profiler SPUSBDataType JSON/XML/text,
 * SPUSBHostDataType JSON/text, `ioreg -p IOUSB -l`). Rules: FORMATS.md section 1 and
 * docs/macos-sources.md "## USB".
 */
import type { UsbBus, UsbDevice, UsbFacts, UsbPower } from '@fleetmedic/protocol';
import { parseLocaleNumber } from '../numbers.js';

export type UsbKind = UsbDevice['kind'];

/** Values longer than this are cut before pattern matching (real ones are < 80 chars): bounds regex time. */
const MAX_VALUE = 200;

/** Deepest device nesting kept (USB allows 7 tiers; deeper input is damaged). */
export const MAX_USB_DEPTH = 32;

/** USB vendor id of Apple; SPUSBDataType writes the untranslated key `apple_vendor_id` for it. */
export const APPLE_VENDOR_ID = 0x05ac;

/**
 * Current in mA from any power text: "500", "4.48 W (896 mA)", "0,52 W (104 mA)", "2.5 W".
 * The mA figure in parentheses wins; a bare W figure is converted at 5 V (USB bus voltage).
 */
export function parseMa(value: string | number | null | undefined): number | null {
  if (value == null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.slice(0, MAX_VALUE);
  const inParens = /\(\s*([\d\s.,\u00a0\u202f]+)\s*mA\s*\)/i.exec(text);
  if (inParens) return parseLocaleNumber(inParens[1]);
  const watts = /^\s*([\d.,\s]+)\s*W\b/i.exec(text);
  if (watts) {
    const w = parseLocaleNumber(watts[1]);
    return w == null ? null : Math.round((w * 1000) / 5);
  }
  return parseLocaleNumber(text);
}

/** Parsed vendor id text: `0x0bda  (Realtek Semiconductor Corp.)`, `apple_vendor_id`, `0x1d50`, `1452`. */
export interface VendorId {
  id: number | null;
  name: string | null;
}

/** Vendor id from `vendor_id` / `Vendor ID:` / `USB Vendor ID:` text; the name in parentheses is kept. */
export function parseVendorId(text: string | null | undefined): VendorId {
  if (text == null) return { id: null, name: null };
  const s = String(text).slice(0, MAX_VALUE).trim();
  if (/^apple_vendor_id$/i.test(s)) return { id: APPLE_VENDOR_ID, name: 'Apple Inc.' };
  const m = /^(0x[0-9a-f]+|\d+)\s*(?:\((.*)\))?\s*$/i.exec(s);
  if (!m) return { id: null, name: null };
  return { id: parseIdNumber(m[1]!), name: m[2]?.trim() || null };
}

/** Product/vendor id number from "0x0407", "0x0407 ", "1452" (ioreg decimal). null when not an id. */
export function parseIdNumber(text: string | number | null | undefined): number | null {
  if (text == null) return null;
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 && text <= 0xffff ? text : null;
  const s = text.slice(0, MAX_VALUE).trim().replace(/\s*\(.*\)$/, '');
  let n: number;
  if (/^0x[0-9a-f]{1,4}$/i.test(s)) n = parseInt(s.slice(2), 16);
  else if (/^\d{1,5}$/.test(s)) n = parseInt(s, 10);
  else return null;
  return n <= 0xffff ? n : null;
}

/**
 * Location id as lower-case 8-digit hex "0x14330000" from "0x14330000 / 6", "0xfd400000",
 * a decimal ioreg `locationID` (17825792 -> 0x01100000), or the same sign-extended
 * to 64 bits by old IOUSBFamily (18446744073663414272 -> 0xfd400000).
 */
export function parseLocationId(text: string | number | bigint | null | undefined): string | null {
  if (text == null) return null;
  let v: bigint;
  try {
    if (typeof text === 'bigint') v = text;
    else if (typeof text === 'number') {
      if (!Number.isInteger(text) || text < 0) return null;
      v = BigInt(text);
    } else {
      const s = text.slice(0, MAX_VALUE).trim().split('/')[0]!.trim();
      if (/^0x[0-9a-f]{1,16}$/i.test(s)) v = BigInt(s);
      else if (/^\d{1,20}$/.test(s)) v = BigInt(s);
      else return null;
    }
  } catch {
    return null;
  }
  v &= 0xffffffffn;
  return '0x' + v.toString(16).padStart(8, '0');
}

/** Location id of the hub port a location hangs off: 0x14313000 -> 0x14310000 -> 0x14300000 -> 0x14000000 (bus). */
export function parentLocationId(loc: string): string | null {
  const v = parseInt(loc.slice(2), 16);
  const ports = v & 0x00ffffff;
  if (ports === 0) return null;
  for (let shift = 0; shift < 24; shift += 4) {
    if ((ports >> shift) & 0xf) {
      const parent = (v & ~(0xf << shift)) >>> 0;
      return '0x' + parent.toString(16).padStart(8, '0');
    }
  }
  return null;
}

/** The bus (top byte) of a location id as a bus location: 0x14313000 -> 0x14000000. */
export const busLocationOf = (loc: string): string => loc.slice(0, 4) + '000000';

const RATE_TOKENS: [number, string][] = [
  [1.5, 'low'],
  [12, 'full'],
  [480, 'high'],
  [5000, 'super'],
  [10000, 'super-plus'],
  [20000, 'super-plus'],
];

/**
 * Speed token: low | full | high | super | super-plus.
 * Accepts `device_speed` enums (`full_speed`, `super_speed_plus`), text ("Up to 480 Mb/sec",
 * "Up to 5 Gb/s"), SPUSBHostDataType link speed ("12 Mb/s", "5 Gb/s"), `up_to_480_Mb_per_sec`,
 * or a rate in bit/s (ioreg `UsbLinkSpeed`). A rate that is not a USB signalling rate is kept as
 * text "<n> Mb/s" / "<n> Gb/s" (e.g. a USB4 tunnel "40 Gb/s").
 */
export function normaliseSpeed(value: string | number | null | undefined): string | null {
  if (value == null) return null;
  let mbps: number | null = null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    mbps = value / 1e6;
  } else {
    const s = value.slice(0, MAX_VALUE).trim();
    if (!s) return null;
    const token = /^(low|full|high|super)[_ -]?speed([_ -]?plus)?$/i.exec(s);
    if (token) return token[2] ? 'super-plus' : token[1]!.toLowerCase();
    const rate = /(\d+(?:[.,]\d+)?)[\s_]*(k|m|g)b(?:it)?(?:_?(?:\/|per)_?s(?:ec)?)?/i.exec(s);
    if (!rate) return s;
    const n = parseLocaleNumber(rate[1]!)!;
    const unit = rate[2]!.toLowerCase();
    mbps = unit === 'g' ? n * 1000 : unit === 'k' ? n / 1000 : n;
  }
  const hit = RATE_TOKENS.find(([r]) => Math.abs(r - mbps!) / r < 0.01);
  if (hit) return hit[1];
  return mbps >= 1000 ? `${+(mbps / 1000).toFixed(3)} Gb/s` : `${+mbps.toFixed(3)} Mb/s`;
}

/** ioreg `Device Speed` enum (old and new stack): 0 low, 1 full, 2 high, 3 super, 4 super-plus. */
export const DEVICE_SPEED_ENUM = ['low', 'full', 'high', 'super', 'super-plus'] as const;

/**
 * Display name: trimmed; the untranslated `hub_device` key becomes "USB hub"; empty names and
 * IOKit class names used as names (`IOUSBHostDevice@01130000`) become "USB device (no product name)".
 */
export function normaliseName(raw: string | null | undefined): string {
  const s = (raw ?? '').trim();
  if (s === 'hub_device') return 'USB hub';
  if (!s || /^IOUSB(Host)?Device$/.test(s)) return 'USB device (no product name)';
  return s;
}

/** Serial number or null for absent/"Not Provided". Redacted placeholders are kept as given. */
export function normaliseSerial(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim();
  return !s || /^not provided$/i.test(s) ? null : s;
}

/** "Yes"/"No"/"yes"/true -> boolean, anything else null. */
export function yesNo(raw: unknown): boolean | null {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return null;
  const s = raw.trim().toLowerCase();
  return s === 'yes' || s === 'true' ? true : s === 'no' || s === 'false' ? false : null;
}

/** Hints for classification beyond the name and ids. */
export interface KindHints {
  /** bDeviceClass (9 hub, 14 video, 1 audio, 8 mass storage, 3 HID, 0/239 = per interface). */
  deviceClass?: number | null;
  /** bInterfaceClass values of the device's interfaces (ioreg). */
  interfaceClasses?: number[];
  /** The source shows storage (`Media`, `volumes`, `bsd_name`, `kHasMSCInterface`, IOMedia). */
  storage?: boolean;
  /** A hub driver is attached (ioreg AppleUSBHub child). */
  hubDriver?: boolean;
  /** IOKit driver class names attached below the device (ioreg, IOService plane). */
  driverClasses?: string[];
}

const CAMERA_NAME = /camera|webcam|web cam|isight|facetime|\bc9[0-9]{2}e?\b|\bbrio\b|streamcam|kiyo|facecam|\buvc\b|video capture|capture card|cam link|\bopal\b|insta360|obsbot|\bmevo\b/i;
const AUDIO_NAME = /audio|microphone|\bmic\b|headset|headphone|speaker|speakerphone|jabra|\byeti\b|snowball|airpods|earpods|\bdac\b|sound|scarlett|focusrite|\brode\b|shure|sennheiser|\bepos\b|plantronics|\bpoly\b|音箱|麦克风|耳机|микрофон|наушник|динамик/i;
const STORAGE_NAME = /\bssd\b|\bhdd\b|flash|pendrive|jumpdrive|thumb ?drive|mass storage|\bdisk\b|card reader|\bstorage\b/i;
const INPUT_NAME = /keyboard|mouse|trackpad|touchpad|trackball|\bir receiver\b|receiver|wireless device|\bhid\b|game ?pad|joystick|touch bar/i;

/** VID -> kind for vendors that make only one kind of conferencing peripheral. */
const VENDOR_KIND: Record<number, UsbKind> = {
  0x0b0e: 'audio', // GN Netcom (Jabra)
  0x047f: 'audio', // Plantronics / Poly
  0x1395: 'audio', // Sennheiser / EPOS
  0xb58e: 'audio', // Blue Microphones (Yeti)
  0x14ed: 'audio', // Shure
  0x19f7: 'audio', // RODE
  0x1235: 'audio', // Focusrite
  0x0781: 'storage', // SanDisk
};

/** VID:PID -> kind for common webcams and headsets whose product string is not telling. */
const PRODUCT_KIND: Record<string, UsbKind> = {
  '046d:082d': 'camera', // Logitech HD Pro Webcam C920
  '046d:08e5': 'camera', // Logitech C920 PRO
  '046d:085e': 'camera', // Logitech BRIO
  '046d:0843': 'camera', // Logitech C930e
  '046d:085b': 'camera', // Logitech C925e
  '046d:0893': 'camera', // Logitech StreamCam
  '046d:0825': 'camera', // Logitech C270
  '046d:0a44': 'audio', // Logitech headset H390
  '1532:0e03': 'camera', // Razer Kiyo
  '0fd9:0078': 'camera', // Elgato Facecam
  '05ac:8509': 'camera', // FaceTime HD Camera (Built-in)
  '05ac:8514': 'camera', // FaceTime HD Camera (T2)
  '05ac:1112': 'camera', // FaceTime HD Camera (Display)
  '05ac:8501': 'camera', // Built-in iSight
  '05ac:1107': 'audio', // Display Audio
};

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * kind of a device, first match wins:
 * hub (bDeviceClass 9, hub driver, name "hub"/`hub_device`) > camera > audio > storage > input > other.
 * camera/audio/storage/input come from the known VID:PID list, the name ("FaceTime", "Camera",
 * "Webcam", "C920", "Brio", "Audio", "Microphone", "Headset", "Jabra", "Yeti", ...), the vendor list
 * (Jabra, Poly, EPOS, Shure, ...), bDeviceClass / interface classes (14 video, 1 audio, 8 mass storage,
 * 3 HID) and storage evidence (Media/volumes).
 */
export function classifyKind(name: string, vendorId: number | null, productId: number | null, hints: KindHints = {}): UsbKind {
  const drivers = (hints.driverClasses ?? []).join(' ');
  const classes = new Set([...(hints.interfaceClasses ?? []), ...(hints.deviceClass != null ? [hints.deviceClass] : [])]);
  if (hints.deviceClass === 9 || hints.hubDriver || /\bhub\b|hub_device/i.test(name) || /AppleUSB\w*Hub\b/.test(drivers)) return 'hub';
  const byProduct = vendorId != null && productId != null ? PRODUCT_KIND[`${hex4(vendorId)}:${hex4(productId)}`] : undefined;
  if (byProduct) return byProduct;
  if (CAMERA_NAME.test(name) || classes.has(14) || /UVC|Video|Camera/.test(drivers)) return 'camera';
  if (AUDIO_NAME.test(name) || classes.has(1) || /Audio/.test(drivers)) return 'audio';
  if (vendorId != null && VENDOR_KIND[vendorId]) return VENDOR_KIND[vendorId]!;
  if (hints.storage || classes.has(8) || STORAGE_NAME.test(name) || /MassStorage|IOMedia\b/.test(drivers)) return 'storage';
  if (INPUT_NAME.test(name) || classes.has(3) || /Keyboard|Mouse|Pointing|HIDKeyboard/.test(drivers)) return 'input';
  return 'other';
}

/** A power record with nothing reported. */
export const emptyPower = (): UsbPower => ({
  availableMa: null,
  requiredMa: null,
  allocatedMa: null,
  extraMa: null,
  sleepMa: null,
  failedRequest: false,
});

/** Fields a source can give for one device before normalisation into a UsbDevice. */
export interface RawUsbDevice {
  name: string | null | undefined;
  vendorId?: number | null;
  productId?: number | null;
  vendorName?: string | null;
  manufacturer?: string | null;
  serialNumber?: string | null;
  locationId?: string | null;
  speed?: string | null;
  builtIn?: boolean | null;
  selfPowered?: boolean | null;
  power?: Partial<UsbPower>;
  hints?: KindHints;
  children?: UsbDevice[];
}

/**
 * One UsbDevice from normalised raw fields. vendorName: the name printed beside the vendor id or
 * the source's vendor-name field, else the trimmed manufacturer string. failedRequest is set
 * when the source says so or when required > available (both known).
 */
export function makeDevice(raw: RawUsbDevice): UsbDevice {
  const name = normaliseName(raw.name);
  const power = { ...emptyPower(), ...raw.power };
  if (power.requiredMa != null && power.availableMa != null && power.requiredMa > power.availableMa) power.failedRequest = true;
  const vendorId = raw.vendorId ?? null;
  const productId = raw.productId ?? null;
  return {
    name,
    kind: classifyKind(raw.name?.trim() || name, vendorId, productId, raw.hints),
    vendorId,
    productId,
    vendorName: raw.vendorName?.trim() || raw.manufacturer?.trim() || null,
    serialNumber: normaliseSerial(raw.serialNumber),
    locationId: raw.locationId ?? null,
    speed: raw.speed ?? null,
    builtIn: raw.builtIn ?? null,
    selfPowered: raw.selfPowered ?? null,
    power,
    children: raw.children ?? [],
  };
}

/**
 * A bus's devices typed as the protocol's UsbDevice interface. The TypeBox static type of
 * `UsbBus['devices']` comes out with `kind: never` (the kind union is built with `.map`), so the
 * two views are bridged here, in one place.
 */
export const busDevices = (bus: UsbBus): UsbDevice[] => bus.devices as unknown as UsbDevice[];

/** A bus (host controller) with its devices. */
export const makeBus = (name: string | null | undefined, controller: string | null | undefined, locationId: string | null, devices: UsbDevice[] = []): UsbBus => ({
  name: (name ?? '').trim() || 'USB bus',
  controller: controller?.trim() || null,
  locationId,
  devices: devices as unknown as UsbBus['devices'],
});

/** Count of devices in a facts tree (all depths). */
export function countDevices(facts: Pick<UsbFacts, 'buses'>): number {
  let n = 0;
  const visit = (ds: UsbDevice[]) => {
    for (const d of ds) {
      n++;
      visit(d.children);
    }
  };
  for (const b of facts.buses) visit(busDevices(b));
  return n;
}

/**
 * Where the payload starts: the first line whose first non-blank text starts with one of `markers`
 * (`{`, `<?xml`, `<plist`). system_profiler output can carry plug-in debug lines first.
 */
export function findPayloadStart(stdout: string, markers: string[]): { start: number; skippedLines: number } {
  let lineStart = 0;
  let skippedLines = 0;
  while (lineStart <= stdout.length) {
    const nl = stdout.indexOf('\n', lineStart);
    const end = nl < 0 ? stdout.length : nl;
    const line = stdout.slice(lineStart, end);
    const body = line.trimStart();
    if (markers.some((m) => body.startsWith(m))) return { start: lineStart + (line.length - body.length), skippedLines };
    if (body) skippedLines++;
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return { start: -1, skippedLines: 0 };
}

/** Short excerpt of a bad input for an error message. */
export const excerpt = (s: string, n = 60): string => JSON.stringify(s.length > n ? s.slice(0, n) + '…' : s);
