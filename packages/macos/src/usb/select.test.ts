import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures.js';
import { countDevices } from './normalize.js';
import { selectUsb } from './select.js';
import { parseSpUsbJson } from './sp-json.js';
import { parseSpUsbText } from './sp-text.js';

const EMPTY_26 = readFixture('spusbhost/testfixture-trimmed-m2pro-empty-spusb.json');

describe('selectUsb fallback order', () => {
  it('uses SPUSBDataType when it has buses', () => {
    const r = selectUsb({ spUsbJson: readFixture('spusb_json/palmsync-m2-t8112-palm-handheld.json'), ioreg: readFixture('ioreg_usb/m1max-macos27-ioreg-p-IOUSB-w0-no-devices.txt') });
    expect(r.ok && r.value.source).toBe('SPUSBDataType');
    expect(r.ok && countDevices(r.value)).toBe(1);
    expect(r.problems).toEqual([]);
  });

  it('never reads an empty SPUSBDataType (macOS 26+) as "no devices"', () => {
    const r = parseSpUsbJson(EMPTY_26);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/list is empty/);
      expect(r.error).toMatch(/not "no USB devices"/);
    }
    const t = parseSpUsbText('');
    expect(t.ok).toBe(false);
  });

  it('falls back to SPUSBHostDataType on macOS 26 and says why', () => {
    const m5 = readFixture('spusbhost/testfixture-trimmed-m5-t6050-sandisk.json');
    const r = selectUsb({ spUsbJson: m5, spUsbHostJson: m5 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.source).toBe('SPUSBHostDataType');
    expect(countDevices(r.value)).toBe(1);
    expect(r.problems[0]).toMatch(/^SPUSBDataType: SPUSBDataType list is empty/);
  });

  it('falls back to ioreg when both system_profiler types fail (macOS 27 capture)', () => {
    const r = selectUsb({ spUsbJson: '{"SPUSBDataType" : [ ]}', spUsbHostJson: '', ioreg: readFixture('ioreg_usb/m1max-macos27-ioreg-p-IOUSB-w0-no-devices.txt') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.source).toBe('ioreg');
    expect(r.value.buses.map((b) => b.locationId)).toEqual(['0x00000000', '0x01000000']);
    expect(r.problems).toEqual([expect.stringMatching(/^SPUSBDataType: .*empty/), expect.stringMatching(/^SPUSBHostDataType: empty output/)]);
  });

  it('falls back to ioreg with devices when SPUSBHostDataType was not collected', () => {
    const r = selectUsb({ spUsbJson: EMPTY_26.replace(/"SPUSBHostDataType"[\s\S]*\]\s*\}\s*\]/, '"x": 1'), ioreg: readFixture('ioreg_usb/m1-ioreg-p-IOUSB-w0-hubs-ds9490.txt') });
    expect(r.ok && r.value.source).toBe('ioreg');
    expect(r.ok && countDevices(r.value)).toBe(3);
    expect(r.problems).toContain('SPUSBHostDataType: not collected');
  });

  it('fails with every source named when nothing can be read', () => {
    const r = selectUsb({ spUsbJson: 'system_profiler: command not found', ioreg: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/SPUSBDataType: not JSON/);
    expect(r.error).toMatch(/SPUSBHostDataType: not collected/);
    expect(r.error).toMatch(/ioreg: empty output/);
  });
});

describe('stream hygiene', () => {
  const noise = readFixture('spusb_text/stderr-noise-IOCreatePlugInInterfaceForService.txt').trim();

  it('ignores system_profiler stderr lines mixed into text stdout', () => {
    const clean = readFixture('spusb_text/intel-mbp2012-ehci-facetime-hs.txt');
    const lines = clean.split('\n');
    const mixed = [noise, ...lines.slice(0, 20), noise, ...lines.slice(20)].join('\n');
    const a = parseSpUsbText(clean);
    const b = parseSpUsbText(mixed);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.value).toEqual(a.value);
    expect(b.problems).toEqual([expect.stringMatching(/skipped 2 system_profiler stderr line/)]);
  });

  it('finds the JSON after stray lines on stdout', () => {
    const json = readFixture('spusb_json/palmsync-m2-t8112-palm-handheld.json');
    const r = parseSpUsbJson(`${noise}\n${json}`);
    expect(r.ok && r.value.buses).toHaveLength(3);
    expect(r.problems).toEqual(['skipped 1 non-JSON line(s) before the JSON object']);
  });

  it('reports truncated JSON clearly', () => {
    const json = readFixture('spusb_json/palmsync-m2-t8112-palm-handheld.json');
    const r = parseSpUsbJson(json.slice(0, 300));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^not JSON \(truncated or corrupted SPUSBDataType output\)/);
  });
});
