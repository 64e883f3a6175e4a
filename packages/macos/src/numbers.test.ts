import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLocaleNumber } from './numbers.js';
import { readFixture } from './testing/fixtures.js';

describe('parseLocaleNumber: one rule for USB and power values', () => {
  it('reads the Polish-locale SPUSBDataType capture: decimal commas, space-grouped byte counts', () => {
    const text = readFixture('spusb_text/m3-t8122-mudita-msc-polish-locale.txt');
    const capacities = [...text.matchAll(/Capacity: (.+) \((.+) bytes\)/g)].map((m) => [parseLocaleNumber(m[1]), parseLocaleNumber(m[2])]);
    expect(capacities).toEqual([[3.91, 3909091328], [268.4, 268435456], [268.4, 268435456], [3.03, 3028286976]]);
    expect([...text.matchAll(/Current (?:Available|Required) \(mA\): (.+)/g)].map((m) => parseLocaleNumber(m[1]))).toEqual([500, 100]);
  });

  it('reads units, signs, both separators and the spaces macOS groups digits with', () => {
    const cases: Array<[string, number | null]> = [
      ['45', 45], ['-2169', -2169], ['94W', 94], ['4690mA', 4690], ['100%', 100], [' 1.84', 1.84], ['2.5 W', 2.5],
      ['1,0', 1], ['0,52 W (104 mA)', 0.52], ['3,91 GB', 3.91], ['1 234', 1234], ['1\u00a0234,5', 1234.5], ['1\u202f234', 1234],
      ['1.234,5', 1234.5], ['1,234.5', 1234.5], ['1.234.567,5', 1234567.5], ['500,107,862,016', 500107862016],
      ['1,500', 1500], ['0,500', 0.5], ['1234,567', 1234.567], ['1.234', 1.234], ['1.234.567', null],
      ['45\n100', 45], ['n/a', null], ['', null], ['W 45', null],
    ];
    expect(cases.map(([text]) => parseLocaleNumber(text))).toEqual(cases.map(([, n]) => n));
    expect(parseLocaleNumber(null)).toBeNull();
    expect(parseLocaleNumber(undefined)).toBeNull();
  });

  it('a point and a comma mean the same decimal, except the English grouping shape (a comma, then exactly three digits)', () => {
    fc.assert(fc.property(fc.integer({ min: -100000, max: 100000 }), fc.stringMatching(/^\d{1,4}$/), fc.constantFrom(',', '.'), (i, frac, sep) => {
      const grouped = sep === ',' && frac.length === 3 && /^-?[1-9]\d{0,2}$/.test(String(i));
      expect(parseLocaleNumber(`${i}${sep}${frac}`)).toBe(Number(grouped ? `${i}${frac}` : `${i}.${frac}`));
    }));
  });

  it('never throws and reads only the start of long or damaged text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      const n = parseLocaleNumber(text);
      expect(n === null || Number.isFinite(n)).toBe(true);
    }));
    expect(parseLocaleNumber(`${'1'.repeat(150)} ${'9'.repeat(100)}`)).toBe(Number('1'.repeat(150)));
  });
});
