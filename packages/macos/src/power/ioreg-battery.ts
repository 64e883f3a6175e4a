import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `ioreg -rn AppleSmartBattery` output parsed, characters (real ones are under 10,000). */
export const IOREG_BATTERY_MAX_CHARS = 512 * 1024;
import { unsigned64ToSigned } from '../numbers.js';

/** An ioreg property value: integer, Yes/No, "string", <hex data> (as hex text), {dict}, (array), or null when printed empty. */
export type IoregValue = number | boolean | string | null | IoregValue[] | { [key: string]: IoregValue };

/** Reads one ioreg value starting at `s[i]`; returns it and the index after it. Never throws: unknown text becomes a string. */
function readValue(s: string, i: number, depth = 0): [IoregValue, number] {
  while (s[i] === ' ') i++;
  const ch = s[i];
  if ((ch === '{' || ch === '(') && depth > 32) return [null, s.length]; // real values nest 4 deep; refuse pathological input
  if (ch === '{' || ch === '(') {
    const close = ch === '{' ? '}' : ')';
    const dict: { [key: string]: IoregValue } = {};
    const list: IoregValue[] = [];
    i++;
    while (i < s.length && s[i] !== close) {
      if (s[i] === ',' || s[i] === ' ') {
        i++;
        continue;
      }
      if (ch === '{') {
        const key = /^"([^"]*)"\s*=/.exec(s.slice(i, i + 300));
        if (!key) return [dict, s.length]; // malformed: stop here, keep what was read
        const [v, next] = readValue(s, i + key[0].length, depth + 1);
        dict[key[1] ?? ''] = v;
        i = next;
      } else {
        const [v, next] = readValue(s, i, depth + 1);
        if (next === i) return [list, s.length];
        list.push(v);
        i = next;
      }
    }
    return [ch === '{' ? dict : list, i + 1];
  }
  if (ch === '"') {
    const end = s.indexOf('"', i + 1);
    return end < 0 ? [s.slice(i + 1), s.length] : [s.slice(i + 1, end), end + 1];
  }
  if (ch === '<') {
    const end = s.indexOf('>', i);
    return end < 0 ? [s.slice(i + 1), s.length] : [s.slice(i + 1, end), end + 1];
  }
  const token = /^[^,})]*/.exec(s.slice(i))?.[0] ?? '';
  const t = token.trim();
  const value: IoregValue = t === '' ? null : t === 'Yes' ? true : t === 'No' ? false : /^-?\d+$/.test(t) ? unsigned64ToSigned(t) : t;
  return [value, i + token.length];
}

/** Top-level `"Key" = value` lines of `ioreg -rn AppleSmartBattery` (tree bars and indentation allowed) -> key/value map. */
export function parseIoregProperties(text: string): Record<string, IoregValue> {
  const out: Record<string, IoregValue> = {};
  // Bounded like parseAppleSmartBattery's input: a flood past the limit is not read.
  for (const line of text.slice(0, IOREG_BATTERY_MAX_CHARS).split(/\r?\n/)) {
    const m = /^[\s|]*"([^"]+)" = (.*)$/.exec(line);
    if (m?.[1] && !(m[1] in out)) out[m[1]] = readValue(m[2] ?? '', 0)[0];
  }
  return out;
}

/** AppleSmartBattery facts. Units: mV, mA, mW, °C, minutes; capacities are % on Apple Silicon (MaxCapacity = 100) and mAh on Intel. */
export interface SmartBattery {
  externalConnected: boolean | null;
  isCharging: boolean | null;
  fullyCharged: boolean | null;
  currentCapacity: number | null;
  maxCapacity: number | null;
  designCapacityMah: number | null;
  rawMaxCapacityMah: number | null;
  cycleCount: number | null;
  voltageMv: number | null;
  /** Negative while discharging (printed as unsigned 64-bit by ioreg). */
  amperageMa: number | null;
  temperatureC: number | null;
  /** 65535 = still calculating -> null. */
  timeRemainingMin: number | null;
  adapter: { watts: number | null; currentMa: number | null; voltageMv: number | null; name: string | null; adapterId: number | null; familyCode: string | null } | null;
  /** PowerTelemetryData, mW. */
  systemPowerInMw: number | null;
  systemLoadMw: number | null;
  batteryPowerMw: number | null;
}

const n = (v: IoregValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const b = (v: IoregValue | undefined): boolean | null => (typeof v === 'boolean' ? v : null);
const d = (v: IoregValue | undefined): { [key: string]: IoregValue } | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
// FamilyCode is a 32-bit code printed sign-extended to 64 bits (18446744073172697098 = 0xe000400a).
const hex32 = (v: number | null): string | null => (v === null ? null : `0x${(BigInt(v) & 0xffffffffn).toString(16).padStart(8, '0')}`);

/**
 * `ioreg -rn AppleSmartBattery` (optionally `-w0`, or grep-filtered) -> SmartBattery. Keys missing from the text are null
 * and listed in one problem. `"AdapterDetails" = {}` (on battery) -> adapter null.
 */
export function parseAppleSmartBattery(ioregText: string): ParseResult<SmartBattery> {
  const oversized = refuseOversized(ioregText, IOREG_BATTERY_MAX_CHARS, 'ioreg AppleSmartBattery output');
  if (oversized) return oversized;
  const p = parseIoregProperties(ioregText);
  if (Object.keys(p).length === 0) return failed(ioregText.trim() === '' ? 'empty ioreg output (no AppleSmartBattery: desktop Mac?)' : 'no "Key" = value lines in ioreg output');
  const ad = d(p.AdapterDetails);
  const tele = d(p.PowerTelemetryData);
  const temp = n(p.Temperature);
  const remaining = n(p.TimeRemaining) ?? n(p.AvgTimeToEmpty);
  const amperage = n(p.Amperage) ?? n(p.InstantAmperage);
  const result: SmartBattery = {
    externalConnected: b(p.ExternalConnected),
    isCharging: b(p.IsCharging),
    fullyCharged: b(p.FullyCharged),
    currentCapacity: n(p.CurrentCapacity),
    maxCapacity: n(p.MaxCapacity),
    designCapacityMah: n(p.DesignCapacity) ?? n(d(p.BatteryData)?.DesignCapacity),
    rawMaxCapacityMah: n(p.AppleRawMaxCapacity),
    cycleCount: n(p.CycleCount) ?? n(d(p.BatteryData)?.CycleCount),
    voltageMv: n(p.Voltage) ?? n(p.AppleRawBatteryVoltage),
    amperageMa: amperage,
    temperatureC: temp === null ? null : temp / 100,
    timeRemainingMin: remaining === null || remaining === 65535 ? null : remaining,
    adapter: ad && Object.keys(ad).length > 0
      ? { watts: n(ad.Watts), currentMa: n(ad.Current), voltageMv: n(ad.AdapterVoltage) ?? n(ad.Voltage), name: typeof ad.Name === 'string' ? ad.Name : null, adapterId: n(ad.AdapterID), familyCode: hex32(n(ad.FamilyCode)) }
      : null,
    systemPowerInMw: n(tele?.SystemPowerIn),
    systemLoadMw: n(tele?.SystemLoad),
    batteryPowerMw: n(tele?.BatteryPower),
  };
  const missing = ['ExternalConnected', 'IsCharging', 'CurrentCapacity', 'MaxCapacity', 'CycleCount', 'Voltage', 'AdapterDetails'].filter((k) => !(k in p) && !(k === 'CycleCount' && result.cycleCount !== null));
  return parsed(result, missing.length > 0 ? [`not in output (filtered or cut?): ${missing.join(', ')}`] : []);
}
