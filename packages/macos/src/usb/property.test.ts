// No USB parser throws or hangs on arbitrary or mangled input; bad input gets a result, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../testing/fixtures.js';
import { parseIoregUsb } from './ioreg.js';
import { selectUsb } from './select.js';
import { parseSpUsbHostJson } from './sp-host-json.js';
import { parseSpUsbJson } from './sp-json.js';
import { parseSpUsbHostText, parseSpUsbText } from './sp-text.js';
import { parseSpUsbXml } from './sp-xml.js';
import { hubPowerSummary, usb3HubPairs, walkUsb } from './walk.js';

const PARSERS = { parseSpUsbJson, parseSpUsbHostJson, parseSpUsbText, parseSpUsbHostText, parseSpUsbXml, parseIoregUsb };
const REAL = ['spusb_json', 'spusb_text', 'spusb_xml', 'spusbhost', 'ioreg_usb'].flatMap((f) => listFixtures(f).map((n) => readFixture(`${f}/${n}`)));

/** Every parser returns a well-formed ParseResult quickly, and the helpers walk whatever it returns. */
function checkAll(input: string): void {
  for (const [name, parse] of Object.entries(PARSERS)) {
    const r = parse(input);
    expect(r.ok || r.error.length > 0, name).toBe(true);
    expect(Array.isArray(r.problems)).toBe(true);
    if (r.ok) {
      for (const e of walkUsb(r.value)) {
        expect(typeof e.device.name).toBe('string');
        if (e.device.kind === 'hub') expect(typeof hubPowerSummary(e.device, r.value).overBudget).toBe('boolean');
      }
      usb3HubPairs(r.value);
    } else expect(r.error.length).toBeGreaterThan(0);
  }
}

/** A real capture cut, with lines dropped, duplicated or shuffled. */
const mangled = fc
  .record({
    doc: fc.constantFrom(...REAL),
    cut: fc.nat(),
    ops: fc.array(fc.tuple(fc.constantFrom('drop', 'dup', 'swap', 'indent'), fc.nat(), fc.nat()), { maxLength: 12 }),
  })
  .map(({ doc, cut, ops }) => {
    const lines = doc.slice(0, doc.length ? cut % (doc.length + 1) : 0).split('\n');
    for (const [op, a, b] of ops) {
      if (!lines.length) break;
      const i = a % lines.length;
      const j = b % lines.length;
      if (op === 'drop') lines.splice(i, 1);
      else if (op === 'dup') lines.splice(i, 0, lines[i]!);
      else if (op === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      else lines[i] = ' '.repeat(b % 9) + lines[i]!.trimStart();
    }
    return lines.join('\n');
  });

describe('USB parsers never throw or hang', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 400 }), checkAll), { numRuns: 300 });
  });

  it('on truncated and line-shuffled real captures', () => {
    fc.assert(fc.property(mangled, checkAll), { numRuns: 300 });
  });

  it('on JSON of the right shape with wrong value types', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }));
    const item = fc.dictionary(fc.constantFrom('_name', '_items', 'vendor_id', 'product_id', 'location_id', 'bus_power', 'bus_power_used', 'device_speed', 'USBDeviceKeyPowerAllocation', 'USBKeyLocationID', 'Media'), value);
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), (buses) => {
        checkAll(JSON.stringify({ SPUSBDataType: buses, SPUSBHostDataType: buses }));
        const r = selectUsb({ spUsbJson: JSON.stringify({ SPUSBDataType: buses }) });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });

  it('on deeply nested input', () => {
    const deep = "USB:\n    USB 3.1 Bus:\n" + Array.from({ length: 200 }, (_, i) => `${' '.repeat(8 + i * 4)}Hub ${i}:\n${' '.repeat(10 + i * 4)}Location ID: 0x01100000 / 1`).join('\n');
    const r = parseSpUsbText(deep);
    expect(r.ok && [...walkUsb(r.value)].length).toBe(33);
    expect(r.problems).toEqual([expect.stringMatching(/nested deeper than 32 levels dropped/)]);
    const json = (n: number): object => (n === 0 ? { _name: 'leaf' } : { _name: `hub ${n}`, _items: [json(n - 1)] });
    const j = parseSpUsbJson(JSON.stringify({ SPUSBDataType: [{ _name: 'USB31Bus', _items: [json(500)] }] }));
    expect(j.ok && [...walkUsb(j.value)].length).toBe(33);
    const io = parseIoregUsb(Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}+-o Hub ${i}@0${(i % 9) + 1}100000  <class IOUSBHostDevice, id 0x1>`).join('\n'));
    expect(io.ok && [...walkUsb(io.value)].length).toBe(33);
  });

  // A regex backtracking blow-up shows as this test hitting its timeout (no timed assertion: shared machines are noisy).
  it('on very long lines of spaces (no regex backtracking blow-up)', { timeout: 60_000 }, () => {
    const spaces = ' '.repeat(200_000);
    checkAll(`USB:\n${spaces}x\n    USB 3.1 Bus:${spaces}\n        Hub:\n          Speed: 12${spaces}Mb\n          Current Required (mA): (${spaces}5 mA)\n`);
    checkAll(`+-o Root${spaces}\n  +-o X@01000000  <class AppleT8103USBXHCI>\n${spaces}"k" = ${spaces}`);
  });
});
