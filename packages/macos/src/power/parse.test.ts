import type { PowerFacts } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseAppleSmartBattery } from './ioreg-battery.js';
import { unsigned64ToSigned } from '../numbers.js';
import { parsePower } from './parse.js';
import { parsePmsetAdapter, parsePmsetBatt, type PmsetAdapter, type PmsetBattery } from './pmset.js';
import { parseSpPowerJson, parseSpPowerText, type SpBattery, type SpCharger } from './sp-power.js';

const read = (f: string) => readFixture(`power/${f}`);
const NO_ADAPTER: PmsetAdapter = {
  attached: false, watts: null, currentMa: null, voltageMv: null, adapterId: null, manufacturer: null, familyCode: null, serial: null, name: null, hardwareVersion: null, firmwareVersion: null,
};
const adapter = (a: Partial<PmsetAdapter>): PmsetAdapter => ({ ...NO_ADAPTER, attached: true, familyCode: '0xe000400a', ...a });
const internal = (b: Partial<PmsetBattery>): PmsetBattery => ({ name: 'InternalBattery-0', kind: 'internal', id: null, percent: null, state: null, remainingMinutes: null, present: true, ...b });
const BATTERY: SpBattery = {
  installed: true, percent: null, charging: null, fullyCharged: null, cycleCount: null, condition: null, maxCapacityPercent: null,
  chargeRemainingMah: null, fullChargeCapacityMah: null, amperageMa: null, voltageMv: null, manufacturer: null, deviceName: null,
};
const CHARGER: SpCharger = { connected: null, charging: null, watts: null, id: null, family: null, name: null, manufacturer: null, serial: null, hardwareVersion: null, firmwareVersion: null };
const CUT = ['no AC charger section (output cut?)', 'no "Current Power Source" in System Power Settings'];
/** Blocks of a capture that pasted several outputs, split at blank (or lone "#") lines. */
const blocks = (text: string) => text.split(/\n(?:#?[ \t]*\n)+/).filter((b) => b.trim() !== '');

/** Every fixtures/power file, the parser(s) for it, and the real values in it. */
const FIXTURES: Record<string, () => void> = {
  'SPPowerDataType-intel-mbp12,1-macos12.6.6-ifixit-truncated.txt': () => {
    // Partial by nature: cut by its author with "..." after the battery.
    expect(parseSpPowerText(read('SPPowerDataType-intel-mbp12,1-macos12.6.6-ifixit-truncated.txt'))).toEqual({
      ok: true,
      value: { battery: { ...BATTERY, percent: 100, charging: false, fullyCharged: true, cycleCount: 24, condition: 'Normal', fullChargeCapacityMah: 6227, manufacturer: 'ifixit', deviceName: 'bq20z451' }, currentSource: null, upsInstalled: null, charger: null },
      problems: CUT,
    });
  },
  'SPPowerDataType-m1pro14-macos15.7.5-45W.txt': () => {
    expect(parseSpPowerText(read('SPPowerDataType-m1pro14-macos15.7.5-45W.txt'))).toEqual({
      ok: true,
      value: {
        battery: { ...BATTERY, percent: 100, charging: false, fullyCharged: true, cycleCount: 292, condition: 'Normal', maxCapacityPercent: 100, deviceName: 'bq40z651' },
        currentSource: 'ac', upsInstalled: false,
        charger: { ...CHARGER, connected: true, charging: false, watts: 45, id: '0x0000', family: '0xe000400a' }, // third-party: no name
      },
      problems: [],
    });
  },
  'SPPowerDataType-older-intel-DSY-excerpt.txt': () => {
    // Partial by nature: an excerpt of the battery section only.
    expect(parseSpPowerText(read('SPPowerDataType-older-intel-DSY-excerpt.txt'))).toEqual({
      ok: true,
      value: { battery: { ...BATTERY, percent: 74, charging: true, fullyCharged: false, cycleCount: 81, condition: 'Normal', fullChargeCapacityMah: 4569, manufacturer: 'DSY', deviceName: 'bq20z451' }, currentSource: null, upsInstalled: null, charger: null },
      problems: CUT,
    });
  },
  'fusinv-10.11-SPPowerDataType.txt': () => {
    expect(parseSpPowerText(read('fusinv-10.11-SPPowerDataType.txt'))).toEqual({
      ok: true,
      value: {
        battery: { ...BATTERY, charging: false, fullyCharged: false, cycleCount: 552, condition: 'Normal', chargeRemainingMah: 4552, fullChargeCapacityMah: 6078, amperageMa: -2169, voltageMv: 7921, manufacturer: 'DP', deviceName: 'bq20z451' },
        currentSource: 'battery', upsInstalled: false, charger: { ...CHARGER, connected: false, charging: false },
      },
      problems: [],
    });
  },
  'fusinv-charged-SPPowerDataType.txt': () => {
    const r = parseSpPowerText(read('fusinv-charged-SPPowerDataType.txt'));
    expect(r.ok && r.value.charger).toEqual({
      connected: true, charging: false, watts: 60, id: '0x1655', family: null, name: '61W USB-C Power Adapter', manufacturer: 'Apple Inc.', serial: 'SERIAL-REDACTED', hardwareVersion: '1,0', firmwareVersion: '1090013',
    });
    expect(r.ok && r.value.battery).toMatchObject({ chargeRemainingMah: 3798, fullChargeCapacityMah: 4069, amperageMa: 1227, voltageMv: 12997, charging: true, manufacturer: 'SMP' });
    expect(r.ok && r.value.currentSource).toBe('ac');
  },
  'fusinv-charging-SPPowerDataType.txt': () => {
    const r = parseSpPowerText(read('fusinv-charging-SPPowerDataType.txt'));
    expect(r.ok && r.value.charger).toMatchObject({ connected: true, charging: true, watts: 60, name: '61W USB-C Power Adapter' });
    expect(r.problems).toEqual([]);
  },
  'ioreg-AppleSmartBattery-grep-m1pro14-macos15.7.5-45W-3rdparty.txt': () => {
    // Partial by nature: grep-filtered and cut at 15 lines -> the keys it lacks are named.
    expect(parseAppleSmartBattery(read('ioreg-AppleSmartBattery-grep-m1pro14-macos15.7.5-45W-3rdparty.txt'))).toEqual({
      ok: true,
      value: {
        externalConnected: null, isCharging: null, fullyCharged: null, currentCapacity: null, maxCapacity: 100, designCapacityMah: 8400, rawMaxCapacityMah: null,
        cycleCount: 292, voltageMv: 12690, amperageMa: null, temperatureC: 29.85, timeRemainingMin: null,
        adapter: { watts: 45, currentMa: 2250, voltageMv: 20000, name: null, adapterId: 0, familyCode: '0xe000400a' },
        systemPowerInMw: 14960, systemLoadMw: 14960, batteryPowerMw: 0,
      },
      problems: ['not in output (filtered or cut?): ExternalConnected, IsCharging, CurrentCapacity, Voltage'],
    });
  },
  'pmset-assertions-sysload-m1pro14-macos15.7.5.txt': () => {
    // `pmset -g assertions` is not a power-source output: every power parser says so instead of inventing values.
    const t = read('pmset-assertions-sysload-m1pro14-macos15.7.5.txt');
    expect(parsePmsetBatt(t)).toEqual({ ok: false, error: 'no "Now drawing from \'…\'" line in pmset output', problems: [] });
    expect(parsePmsetAdapter(t)).toEqual({ ok: false, error: 'no adapter line in pmset -g adapter output', problems: [] });
    expect(parseSpPowerText(t)).toMatchObject({ ok: false, error: 'no "Power:" section in SPPowerDataType output' });
    expect(parsePower({ pmsetBatt: t })).toMatchObject({ ok: false, error: 'no power source output could be read' });
  },
  'pmset-batt-5-states-elcapitan-10.11.6.txt': () => {
    // Five runs split by the poster's "--" lines: the whole file reads the first with a problem; each run on its own is exact.
    const t = read('pmset-batt-5-states-elcapitan-10.11.6.txt');
    expect(parsePmsetBatt(t)).toMatchObject({ ok: true, value: { source: 'battery' }, problems: ['5 "Now drawing from" blocks (several captures?): read the first'] });
    expect(t.split(/\n--\n/).map((run) => parsePmsetBatt(run))).toEqual([
      { ok: true, value: { source: 'battery', batteries: [internal({ percent: 89, state: 'discharging', remainingMinutes: 287 })] }, problems: [] },
      { ok: true, value: { source: 'battery', batteries: [internal({ percent: 90, state: 'discharging' })] }, problems: [] },
      { ok: true, value: { source: 'ac', batteries: [internal({ percent: 88, state: 'AC attached; not charging' })] }, problems: [] },
      { ok: true, value: { source: 'ac', batteries: [internal({ percent: 90, state: 'charging' })] }, problems: [] },
      { ok: true, value: { source: 'ac', batteries: [internal({ percent: 91, state: 'charging', remainingMinutes: 25 })] }, problems: [] },
    ]);
  },
  'pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt': () => {
    const t = read('pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt');
    expect(parsePmsetBatt(t)).toEqual({ ok: true, value: { source: 'ac', batteries: [internal({ id: '23003235', percent: 80, state: 'AC attached; not charging' })] }, problems: [] });
    expect(parsePower({ pmsetBatt: t })).toEqual({
      ok: true,
      value: { source: 'ac', adapterConnected: null, adapterWatts: null, adapterName: null, batteryPresent: true, batteryPercent: 80, batteryState: 'AC attached; not charging' },
      problems: ['pmset -g adapter: not read', 'SPPowerDataType: not read'],
    });
  },
  'pmset-batt-ups-comment-older.txt': () => {
    // Two captures in one comment block: the whole file reads the first with a problem; each block on its own is exact.
    const t = read('pmset-batt-ups-comment-older.txt');
    expect(parsePmsetBatt(t)).toMatchObject({ ok: true, value: { source: 'ac' }, problems: ['2 "Now drawing from" blocks (several captures?): read the first'] });
    const [first, second] = blocks(t).slice(1); // block 0 is the "# pmset -g batt" command line
    expect(parsePmsetBatt(first ?? '')).toEqual({ ok: true, value: { source: 'ac', batteries: [internal({ percent: 100, state: 'charged', remainingMinutes: 0 })] }, problems: [] });
    expect(parsePmsetBatt(second ?? '')).toEqual({
      ok: true,
      value: { source: 'battery', batteries: [internal({ percent: 100, state: 'discharging' }), { name: 'UPS CP600', kind: 'ups', id: null, percent: 100, state: 'charging', remainingMinutes: null, present: true }] },
      problems: [],
    });
  },
  'pmset-g-ac-40W-pwr-adapter-60W-max.txt': () => {
    expect(parsePmsetAdapter(read('pmset-g-ac-40W-pwr-adapter-60W-max.txt'))).toEqual({
      ok: true,
      value: adapter({ watts: 60, currentMa: 2990, voltageMv: 20000, adapterId: '28702', manufacturer: 'Apple Inc.', serial: 'ADAPTER-SERIAL-REDACTED', name: '40W Pwr Adapter 60W Max', hardwareVersion: '1.0', firmwareVersion: '01030079' }),
      problems: [],
    });
  },
  'pmset-g-ac-96W-and-no-adapter.txt': () => {
    const t = read('pmset-g-ac-96W-and-no-adapter.txt');
    expect(parsePmsetAdapter(t)).toEqual({ ok: true, value: NO_ADAPTER, problems: ['2 adapter outputs in one capture: read the first'] });
    const [none, plugged] = blocks(t);
    expect(parsePmsetAdapter(none ?? '')).toEqual({ ok: true, value: NO_ADAPTER, problems: [] });
    expect(parsePmsetAdapter(plugged ?? '')).toEqual({
      ok: true,
      value: adapter({ watts: 94, currentMa: 4690, voltageMv: 20000, adapterId: 'nnnnn', manufacturer: 'Apple Inc.', serial: 'xxxxxxxxxxxxxxxxx', name: '96W USB-C Power Adapter', hardwareVersion: '1.0', firmwareVersion: '01090057' }),
      problems: [],
    });
  },
  'pmset-g-ac-intel96W-vs-as-air30W-and-khadas24W.txt': () => {
    const t = read('pmset-g-ac-intel96W-vs-as-air30W-and-khadas24W.txt');
    const left = adapter({ watts: 94, currentMa: 4700, voltageMv: 20000, adapterId: '28674', manufacturer: 'Apple Inc.', name: '96W USB-C Power Adapter', hardwareVersion: '1.0', firmwareVersion: '01070051' });
    expect(parsePmsetAdapter(t)).toEqual({ ok: true, value: left, problems: ['2 adapter outputs in one capture: read the first', 'two outputs pasted side by side: read the left column'] });
    const [columns, khadas] = t.split(/\n(?=.*\$ pmset)/);
    const right = (columns ?? '').split('\n').map((l) => l.trim().split(/\s{3,}/)[1] ?? '').join('\n');
    expect(parsePmsetAdapter(right)).toEqual({
      ok: true,
      value: adapter({ watts: 30, currentMa: 1500, voltageMv: 20000, adapterId: '28675', manufacturer: 'Apple Inc.', name: '30W USB-C Power Adapter', hardwareVersion: '1.0', firmwareVersion: '01030052' }),
      problems: [],
    });
    // Third-party charger: only the first five lines.
    expect(parsePmsetAdapter(khadas ?? '')).toEqual({ ok: true, value: adapter({ watts: 24, currentMa: 1600, voltageMv: 15000, adapterId: '0' }), problems: [] });
  },
  'pmset-ps-and-adapter-notes-18W-85W-67W.txt': () => {
    const t = read('pmset-ps-and-adapter-notes-18W-85W-67W.txt');
    expect(parsePmsetBatt(t)).toEqual({ ok: true, value: { source: 'ac', batteries: [internal({ id: '34734179', percent: 100, state: 'charged', remainingMinutes: 0 })] }, problems: [] });
    const adapters = blocks(t).filter((b) => b.includes('Wattage'));
    expect(adapters.map((b) => parsePmsetAdapter(b))).toEqual([
      { ok: true, value: adapter({ watts: 18, currentMa: 1500, voltageMv: 12000, adapterId: '0' }), problems: [] },
      { ok: true, value: adapter({ watts: 85, currentMa: 4250, voltageMv: 20000, adapterId: '0' }), problems: [] },
      {
        ok: true,
        value: adapter({ watts: 65, currentMa: 3270, voltageMv: 20000, adapterId: '28694', manufacturer: 'Apple Inc.', serial: 'ADAPTER-SERIAL-REDACTED', name: '67W USB-C Power Adapter', hardwareVersion: '1.0', firmwareVersion: '01050036' }),
        problems: [],
      },
    ]);
  },
};

describe('every fixtures/power capture', () => {
  it('covers every fixture file', () => expect(Object.keys(FIXTURES).sort()).toEqual(listFixtures('power')));
  it.each(Object.keys(FIXTURES))('%s', (file) => FIXTURES[file]?.());
});

// No `system_profiler -json SPPowerDataType` capture exists in fixtures/. These documents carry the values of the text
// fixtures named below, under the JSON keys public parsers read (sppower_battery_charge_info, sppower_ac_charger_watts …;
// booleans as "TRUE"/"FALSE", state of charge a number, watts a string).
const M1PRO_JSON = JSON.stringify({
  SPPowerDataType: [
    {
      _name: 'spbattery_information',
      sppower_battery_charge_info: { sppower_battery_at_warn_level: 'FALSE', sppower_battery_fully_charged: 'TRUE', sppower_battery_is_charging: 'FALSE', sppower_battery_state_of_charge: 100 },
      sppower_battery_health_info: { sppower_battery_cycle_count: 292, sppower_battery_health: 'Normal', sppower_battery_health_maximum_capacity: '100%' },
      sppower_battery_model_info: { sppower_battery_device_name: 'bq40z651', sppower_battery_firmware_version: '2d31', sppower_battery_hardware_revision: '322d', sppower_battery_cell_revision: '3036' },
    },
    { _name: 'sppower_information', 'AC Power': { 'Current Power Source': 'TRUE', 'System Sleep Timer': 1 }, 'Battery Power': { 'System Sleep Timer': 1 }, sppower_ups_installed: 'FALSE' },
    { _name: 'sppower_ac_charger_information', sppower_ac_charger_ID: '0x0000', sppower_ac_charger_family: '0xe000400a', sppower_ac_charger_watts: '45', sppower_battery_charger_connected: 'TRUE', sppower_battery_is_charging: 'FALSE' },
  ],
}, null, 2); // from SPPowerDataType-m1pro14-macos15.7.5-45W.txt
const INTEL_ON_BATTERY_JSON = JSON.stringify({
  SPPowerDataType: [
    {
      _name: 'spbattery_information', sppower_battery_installed: 'TRUE', sppower_current_amperage: -2169, sppower_current_voltage: 7921,
      sppower_battery_charge_info: { sppower_battery_current_capacity: 4552, sppower_battery_max_capacity: 6078, sppower_battery_fully_charged: 'FALSE', sppower_battery_is_charging: 'FALSE' },
      sppower_battery_health_info: { sppower_battery_cycle_count: 552, sppower_battery_health: 'Normal' },
      sppower_battery_model_info: { sppower_battery_manufacturer: 'DP', sppower_battery_device_name: 'bq20z451' },
    },
    { _name: 'sppower_information', 'Battery Power': { 'Current Power Source': 'TRUE' }, sppower_ups_installed: 'FALSE' },
    { _name: 'sppower_ac_charger_information', sppower_battery_charger_connected: 'FALSE', sppower_battery_is_charging: 'FALSE' },
  ],
}); // from fusinv-10.11-SPPowerDataType.txt

describe('parseSpPowerJson (JSON derived from the text fixtures, see above)', () => {
  it('gives what parseSpPowerText gives for the same Mac', () => {
    for (const [json, text] of [[M1PRO_JSON, 'SPPowerDataType-m1pro14-macos15.7.5-45W.txt'], [INTEL_ON_BATTERY_JSON, 'fusinv-10.11-SPPowerDataType.txt']] as const) {
      const fromJson = parseSpPowerJson(json);
      const fromText = parseSpPowerText(read(text));
      expect(fromJson).toEqual(fromText);
    }
  });

  it('fails clearly on empty, non-JSON and the wrong data type', () => {
    expect(parseSpPowerJson('')).toEqual({ ok: false, error: 'empty SPPowerDataType output', problems: [] });
    expect(parseSpPowerJson('{"SPUSBDataType":[]}')).toEqual({ ok: false, error: 'no SPPowerDataType array', problems: [] });
    expect(parseSpPowerJson('{ "SPPowerDataType" : [ {')).toMatchObject({ ok: false, error: expect.stringMatching(/^SPPowerDataType output is not JSON/) });
    // A desktop: no battery item, charger item absent -> nulls with problems, not "on battery".
    expect(parseSpPowerJson('{"SPPowerDataType":[{"_name":"sppower_information","AC Power":{"Current Power Source":"TRUE"}}]}')).toEqual({
      ok: true, value: { battery: null, currentSource: 'ac', upsInstalled: null, charger: null },
      problems: ['no battery section (desktop Mac, or output cut)', 'no AC charger section (output cut?)'],
    });
  });
});

describe('parsePower: pmset first, SPPowerDataType fills gaps', () => {
  const facts = (f: Partial<PowerFacts>): PowerFacts => ({ source: 'unknown', adapterConnected: null, adapterWatts: null, adapterName: null, batteryPresent: null, batteryPercent: null, batteryState: null, ...f });
  const BATT = read('pmset-batt-m5pro-macos26.5.1-ac-not-charging-with-swvers.txt');

  it('pmset batt + adapter (Apple adapter whose name says 40W, rated 60 W)', () => {
    expect(parsePower({ pmsetBatt: BATT, pmsetAdapter: read('pmset-g-ac-40W-pwr-adapter-60W-max.txt') })).toEqual({
      ok: true,
      value: facts({ source: 'ac', adapterConnected: true, adapterWatts: 60, adapterName: '40W Pwr Adapter 60W Max', batteryPresent: true, batteryPercent: 80, batteryState: 'AC attached; not charging' }),
      problems: ['SPPowerDataType: not read'],
    });
  });

  it('SPPowerDataType alone (third-party 45 W charger: watts, no name)', () => {
    expect(parsePower({ spPowerJson: M1PRO_JSON })).toEqual({
      ok: true,
      value: facts({ source: 'ac', adapterConnected: true, adapterWatts: 45, batteryPresent: true, batteryPercent: 100, batteryState: 'charged' }),
      problems: ['pmset -g batt: not read', 'pmset -g adapter: not read'],
    });
    expect(parsePower({ spPowerJson: INTEL_ON_BATTERY_JSON })).toMatchObject({ ok: true, value: facts({ source: 'battery', adapterConnected: false, batteryPresent: true, batteryState: 'discharging' }) });
  });

  it('a desktop prints only the first pmset line: no battery, not "unknown"', () => {
    expect(parsePower({ pmsetBatt: "Now drawing from 'AC Power'\n", pmsetAdapter: 'No adapter attached.\n' })).toEqual({
      ok: true, value: facts({ source: 'ac', adapterConnected: false, batteryPresent: false }), problems: ['SPPowerDataType: not read'],
    });
  });

  it('a Mac on UPS power, and pmset disagreeing with SPPowerDataType', () => {
    const ups = "Now drawing from 'UPS Power'\n -UPS CP600\t100%; discharging present: true\n";
    expect(parsePower({ pmsetBatt: ups })).toMatchObject({ ok: true, value: facts({ source: 'ups', batteryPresent: false }) });
    const onBattery = "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=1)\t55%; discharging; 3:47 remaining present: true\n";
    expect(parsePower({ pmsetBatt: onBattery, spPowerJson: M1PRO_JSON })).toMatchObject({
      ok: true, value: facts({ source: 'battery', adapterConnected: true, adapterWatts: 45, batteryPresent: true, batteryPercent: 55, batteryState: 'discharging' }),
      problems: ['pmset -g adapter: not read', 'pmset says battery, SPPowerDataType says ac: kept pmset'],
    });
    expect(parsePmsetBatt(onBattery)).toMatchObject({ ok: true, value: { batteries: [{ remainingMinutes: 227 }] } });
  });

  it('nothing readable fails with every reason', () => {
    expect(parsePower({})).toEqual({ ok: false, error: 'no power source output could be read', problems: ['pmset -g batt: not read', 'pmset -g adapter: not read', 'SPPowerDataType: not read'] });
  });
});

// Localised names as a Russian Mac prints them (fixtures/locale).
const RU_NAMES = [...readFixture('locale/SPAudioDataType-ru-RU-excerpt-carthing.txt').matchAll(/^\s+([^\x00-\x7f][^:\n]*):$/gm)].map((m) => m[1] ?? '');

describe('numbers: decimal commas, unsigned 64-bit, non-ASCII names (properties)', () => {
  it('the locale fixture holds Cyrillic names', () => expect(RU_NAMES).toEqual(['Микрофон MacBook Pro', 'Динамики MacBook Pro']));

  it('unsigned64ToSigned recovers negatives ioreg printed as unsigned', () => {
    expect(unsigned64ToSigned('18446744073709550538')).toBe(-1078);
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }), (v) => {
      expect(unsigned64ToSigned(String(v < 0n ? v + 2n ** 64n : v))).toBe(Number(v));
    }));
    const r = parseAppleSmartBattery('  "Amperage" = 18446744073709550538\n  "ExternalConnected" = No\n  "AdapterDetails" = {}\n');
    expect(r).toMatchObject({ ok: true, value: { amperageMa: -1078, externalConnected: false, adapter: null } });
  });

  it('adapter and charger text with decimal commas and Cyrillic names keeps both intact', () => {
    fc.assert(fc.property(fc.nat(240), fc.nat(9), fc.constantFrom(...RU_NAMES, 'Адаптер питания 67 Вт', '電源アダプタ'), (w, d, name) => {
      const pm = parsePmsetAdapter(` Wattage = ${w},${d}W\n Current = 3000mA\n Voltage = 20000mV\n Adapter Name = ${name}\n Hardware Version = 1,0\n`);
      expect(pm).toMatchObject({ ok: true, value: { watts: Number(`${w}.${d}`), currentMa: 3000, name, hardwareVersion: '1,0' } });
      const sp = parseSpPowerText(`Power:\n\n    AC Charger Information:\n\n      Connected: Yes\n      Wattage (W): ${w},${d}\n      Name: ${name}\n`);
      expect(sp.ok && sp.value.charger).toMatchObject({ connected: true, watts: Number(`${w}.${d}`), name });
    }));
  });
});

describe('never throws or hangs (property)', () => {
  const all = listFixtures('power').map(read).join('\n');
  it('on mangled fixtures and arbitrary text', () => {
    const mangled = fc.tuple(fc.nat(all.length), fc.nat(80), fc.string()).map(([at, cut, ins]) => all.slice(0, at) + ins + all.slice(at + cut));
    fc.assert(fc.property(fc.oneof(mangled, fc.string({ unit: 'binary' }), fc.string().map((s) => `"X" = ${'('.repeat(5000)}${s}`)), (text) => {
      for (const r of [parsePmsetBatt(text), parsePmsetAdapter(text), parseSpPowerText(text), parseSpPowerJson(text), parseAppleSmartBattery(text), parsePower({ pmsetBatt: text, pmsetAdapter: text, spPowerJson: text })]) {
        expect(r.ok || r.error.length > 0).toBe(true);
      }
    }), { numRuns: 200 });
  });

  it('on 2 MB of captures without hanging (a hang hits the timeout)', { timeout: 60_000 }, () => {
    const big = all.repeat(60);
    for (const parse of [parsePmsetBatt, parsePmsetAdapter, parseSpPowerText, parseAppleSmartBattery]) {
      const r = parse(big);
      expect(r.ok || r.error.length > 0).toBe(true);
      expect(Array.isArray(r.problems)).toBe(true);
    }
  });
});
