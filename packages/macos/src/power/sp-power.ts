import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `system_profiler SPPowerDataType` text parsed, characters (real ones are under 10,000). */
export const SP_POWER_TEXT_MAX_CHARS = 512 * 1024;
import { parseLocaleNumber } from '../numbers.js';
import { parseJson } from '../json.js';

/** The battery part of SPPowerDataType. Apple Silicon reports percent and Maximum Capacity; Intel also mAh, mA, mV. */
export interface SpBattery {
  installed: boolean | null;
  /** State of Charge (%). */
  percent: number | null;
  charging: boolean | null;
  fullyCharged: boolean | null;
  cycleCount: number | null;
  /** "Normal", "Good", "Service Recommended". */
  condition: string | null;
  /** Maximum Capacity, % of design (Apple Silicon). */
  maxCapacityPercent: number | null;
  chargeRemainingMah: number | null;
  fullChargeCapacityMah: number | null;
  /** Negative while discharging. */
  amperageMa: number | null;
  voltageMv: number | null;
  manufacturer: string | null;
  deviceName: string | null;
}

/** AC Charger Information. Third-party chargers (ID 0x0000) report no name, serial or manufacturer. */
export interface SpCharger {
  connected: boolean | null;
  charging: boolean | null;
  /** Rated wattage, W (60 W for a "61W USB-C Power Adapter"). */
  watts: number | null;
  id: string | null;
  family: string | null;
  name: string | null;
  manufacturer: string | null;
  serial: string | null;
  hardwareVersion: string | null;
  firmwareVersion: string | null;
}

/** `system_profiler SPPowerDataType`, text or -json. null parts were not in the output. */
export interface SpPower {
  battery: SpBattery | null;
  /** Which System Power Settings block says "Current Power Source: Yes". */
  currentSource: 'ac' | 'battery' | null;
  upsInstalled: boolean | null;
  charger: SpCharger | null;
}

const yes = (v: unknown): boolean | null => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return null;
  if (/^(yes|true|1|spbattery_charger_connected_yes)$/i.test(v.trim())) return true;
  if (/^(no|false|0|spbattery_charger_connected_no)$/i.test(v.trim())) return false;
  return null;
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' ? parseLocaleNumber(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null);

function completeness(p: SpPower, problems: string[]): void {
  if (!p.battery) problems.push('no battery section (desktop Mac, or output cut)');
  if (!p.charger) problems.push('no AC charger section (output cut?)');
  if (p.currentSource === null) problems.push('no "Current Power Source" in System Power Settings');
}

/**
 * `system_profiler SPPowerDataType` text -> SpPower. Labels are English on every system seen (values may be localised:
 * "Hardware Version: 1,0"); sections are found by indentation, so a cut-off capture ("...", `| head`) still yields
 * what it holds, with problems naming the missing sections.
 */
export function parseSpPowerText(stdout: string): ParseResult<SpPower> {
  const oversized = refuseOversized(stdout, SP_POWER_TEXT_MAX_CHARS, 'system_profiler SPPowerDataType output');
  if (oversized) return oversized;
  const sections = new Map<string, Map<string, string>>();
  const stack: { indent: number; name: string }[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    const header = /^(.+?):$/.exec(text);
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    if (header) {
      stack.push({ indent, name: header[1] ?? '' });
      continue;
    }
    const at = text.indexOf(': ');
    if (at < 0) continue;
    const path = stack.map((s) => s.name).join('/');
    const map = sections.get(path) ?? new Map<string, string>();
    map.set(text.slice(0, at), text.slice(at + 2).trim());
    sections.set(path, map);
  }
  if (![...sections.keys()].some((k) => k.startsWith('Power'))) return failed(stdout.trim() === '' ? 'empty SPPowerDataType output' : 'no "Power:" section in SPPowerDataType output');

  const get = (path: string, key: string) => sections.get(`Power/${path}`)?.get(key);
  const hasBattery = [...sections.keys()].some((k) => k.startsWith('Power/Battery Information'));
  const battery: SpBattery | null = hasBattery
    ? {
        installed: yes(get('Battery Information', 'Battery Installed')) ?? true,
        percent: num(get('Battery Information/Charge Information', 'State of Charge (%)')),
        charging: yes(get('Battery Information/Charge Information', 'Charging')),
        fullyCharged: yes(get('Battery Information/Charge Information', 'Fully Charged')),
        cycleCount: num(get('Battery Information/Health Information', 'Cycle Count')),
        condition: str(get('Battery Information/Health Information', 'Condition')),
        maxCapacityPercent: num(get('Battery Information/Health Information', 'Maximum Capacity')),
        chargeRemainingMah: num(get('Battery Information/Charge Information', 'Charge Remaining (mAh)')),
        fullChargeCapacityMah: num(get('Battery Information/Charge Information', 'Full Charge Capacity (mAh)')),
        amperageMa: num(get('Battery Information', 'Amperage (mA)')),
        voltageMv: num(get('Battery Information', 'Voltage (mV)')),
        manufacturer: str(get('Battery Information/Model Information', 'Manufacturer')),
        deviceName: str(get('Battery Information/Model Information', 'Device Name')),
      }
    : null;
  const chargerMap = sections.get('Power/AC Charger Information');
  const c = (k: string) => chargerMap?.get(k);
  const charger: SpCharger | null = chargerMap
    ? {
        connected: yes(c('Connected')), charging: yes(c('Charging')), watts: num(c('Wattage (W)')), id: str(c('ID')), family: str(c('Family')),
        name: str(c('Name')), manufacturer: str(c('Manufacturer')), serial: str(c('Serial Number')),
        hardwareVersion: str(c('Hardware Version')), firmwareVersion: str(c('Firmware Version')),
      }
    : null;
  const currentSource = yes(get('System Power Settings/AC Power', 'Current Power Source')) ? 'ac'
    : yes(get('System Power Settings/Battery Power', 'Current Power Source')) ? 'battery' : null;
  const result: SpPower = { battery, currentSource, upsInstalled: yes(get('Hardware Configuration', 'UPS Installed')), charger };
  const problems: string[] = [];
  completeness(result, problems);
  return parsed(result, problems);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);

/**
 * `system_profiler -json SPPowerDataType` -> SpPower. Items by `_name`: spbattery_information
 * (sppower_battery_charge_info / _health_info / _model_info), sppower_information ("AC Power"/"Battery Power" with
 * "Current Power Source"), sppower_ac_charger_information (sppower_ac_charger_watts, sppower_battery_charger_connected…).
 * Booleans are "TRUE"/"FALSE" strings, wattage a string, state of charge a number.
 */
export function parseSpPowerJson(stdout: string): ParseResult<SpPower> {
  const start = stdout.indexOf('{');
  if (start < 0) return failed(stdout.trim() === '' ? 'empty SPPowerDataType output' : 'SPPowerDataType output holds no JSON object');
  let doc: unknown;
  try {
    doc = parseJson(stdout.slice(start));
  } catch (e) {
    return failed(`SPPowerDataType output is not JSON: ${(e as Error).message}`);
  }
  const items = obj(doc)?.SPPowerDataType;
  if (!Array.isArray(items)) return failed('no SPPowerDataType array');
  const byName = new Map(items.map((i) => obj(i)).filter((i): i is Obj => i !== null).map((i) => [String(i._name), i]));

  const b = byName.get('spbattery_information');
  const ci = obj(b?.sppower_battery_charge_info) ?? {};
  const hi = obj(b?.sppower_battery_health_info) ?? {};
  const mi = obj(b?.sppower_battery_model_info) ?? {};
  const battery: SpBattery | null = b
    ? {
        installed: yes(b.sppower_battery_installed) ?? true,
        percent: num(ci.sppower_battery_state_of_charge),
        charging: yes(ci.sppower_battery_is_charging),
        fullyCharged: yes(ci.sppower_battery_fully_charged),
        cycleCount: num(hi.sppower_battery_cycle_count),
        condition: str(hi.sppower_battery_health),
        maxCapacityPercent: num(hi.sppower_battery_health_maximum_capacity),
        chargeRemainingMah: num(ci.sppower_battery_current_capacity),
        fullChargeCapacityMah: num(ci.sppower_battery_max_capacity),
        amperageMa: num(b.sppower_current_amperage),
        voltageMv: num(b.sppower_current_voltage),
        manufacturer: str(mi.sppower_battery_manufacturer),
        deviceName: str(mi.sppower_battery_device_name),
      }
    : null;
  const ch = byName.get('sppower_ac_charger_information');
  const charger: SpCharger | null = ch
    ? {
        connected: yes(ch.sppower_battery_charger_connected), charging: yes(ch.sppower_battery_is_charging),
        watts: num(ch.sppower_ac_charger_watts), id: str(ch.sppower_ac_charger_ID), family: str(ch.sppower_ac_charger_family),
        name: str(ch.sppower_ac_charger_name), manufacturer: str(ch.sppower_ac_charger_manufacturer), serial: str(ch.sppower_ac_charger_serial_number),
        hardwareVersion: str(ch.sppower_ac_charger_hardware_version), firmwareVersion: str(ch.sppower_ac_charger_firmware_version),
      }
    : null;
  const settings = byName.get('sppower_information');
  const currentSource = yes(obj(settings?.['AC Power'])?.['Current Power Source']) ? 'ac'
    : yes(obj(settings?.['Battery Power'])?.['Current Power Source']) ? 'battery' : null;
  const ups = items.map((i) => obj(i)?.sppower_ups_installed).find((v) => v !== undefined);
  const result: SpPower = { battery, currentSource, upsInstalled: yes(ups), charger };
  const problems: string[] = [];
  completeness(result, problems);
  return parsed(result, problems);
}
