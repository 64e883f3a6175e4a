// Regression inputs of the outside pass (issue 16): each took seconds to minutes before the fix.
// No timing is asserted (pnpm bench:parsers has the figures): each must give a clear result and
// write nothing to the console. The generous timeout only stops a regression from hanging CI.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  parseAlfPlist, parsePmsetAdapter, parsePmsetBatt, parseSpUsbXml, parseSwVers, parseTccutilList, parseZoomInfoPlist,
} from './index.js';
import { readFixture } from './testing/fixtures.js';
import { MAX_PLIST_DEPTH } from './zoom/plist.js';

const MB = 1024 * 1024;
const spaces = (n: number) => ' '.repeat(n);
const written: string[] = [];

beforeEach(() => {
  written.length = 0;
  // Observed, not replaced: what a parser writes would land in the agent's log.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array) => boolean;
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return write(chunk);
    }) as typeof stream.write);
  }
  for (const level of ['log', 'warn', 'error'] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      written.push(args.map(String).join(' '));
      original(...args);
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(written).toEqual([]);
});

describe('long whitespace runs inside one line', { timeout: 120_000 }, () => {
  it('sw_vers: 20,000 spaces after a key still parse; past the size limit the output is refused, not scanned', () => {
    const capture = readFixture('sw_vers/monterey-12.5.1-21G83.txt');
    expect(parseSwVers(capture.replace('ProductVersion:', `ProductVersion:${spaces(20_000)}`))).toMatchObject({ ok: true, value: { productVersion: '12.5.1' } });
    expect(parseSwVers(`ProductVersion:${spaces(MB)}x`)).toMatchObject({ ok: false, error: expect.stringContaining('not parsed') });
    expect(parseSwVers(`ProductName: macOS /${spaces(20_000)}/ ProductVersion: 15.3 / BuildVersion: 24D60`)).toMatchObject({ ok: true, value: { productVersion: '15.3', buildVersion: '24D60' } });
  });

  it('tccutil list: a note after a 20,000-space run is still a note', () => {
    expect(parseTccutilList(`us.zoom.xos${spaces(20_000)}# Zoom\nzoom us${spaces(20_000)}y`)).toMatchObject({
      ok: true, value: [{ client: 'us.zoom.xos', clientType: 'bundle' }], problems: ['line 1: trailing note dropped', expect.stringMatching(/^line 2: not a path or bundle id/)],
    });
    expect(parseTccutilList(spaces(MB))).toMatchObject({ ok: false });
  });

  it('pmset -g batt / adapter: a 20,000-space line, and 1 MB of them, give a clear result', () => {
    const batt = ` -InternalBattery-0 (id=1234)${spaces(20_000)}95%; charging; 1:02 remaining present: true`;
    expect(parsePmsetBatt(`Now drawing from 'AC Power'\n${batt}`)).toMatchObject({ ok: true });
    expect(parsePmsetBatt(` -InternalBattery-0${spaces(MB)}x`)).toMatchObject({ ok: false });
    expect(parsePmsetAdapter(` Wattage = ${spaces(20_000)}x`)).toHaveProperty('ok');
    expect(parsePmsetAdapter(` Wattage = ${spaces(MB)}x`)).toMatchObject({ ok: false });
  });
});

describe('deep nesting and bad XML', { timeout: 120_000 }, () => {
  const deep = (n: number) => `<?xml version="1.0"?><plist version="1.0">${'<array>'.repeat(n)}${'</array>'.repeat(n)}</plist>`;
  it(`refuses plists nested deeper than ${MAX_PLIST_DEPTH} levels (100,000 deep in the outside pass)`, () => {
    const reason = `XML nested deeper than ${MAX_PLIST_DEPTH} elements: not a plist macOS writes`;
    expect(parseZoomInfoPlist(deep(100_000), '/Applications/zoom.us.app')).toEqual({ ok: false, problems: [], error: `/Applications/zoom.us.app/Contents/Info.plist: ${reason}` });
    expect(parseAlfPlist(deep(100_000))).toMatchObject({ ok: false, error: `com.apple.alf.plist: ${reason}` });
    expect(parseSpUsbXml(deep(100_000))).toMatchObject({ ok: false, error: `malformed plist: ${reason}` });
    expect(parseAlfPlist(deep(MAX_PLIST_DEPTH - 2))).toMatchObject({ ok: false, error: expect.not.stringContaining('nested deeper') });
  });

  it('a plist with 100,000 stray "<" fails with the first XML error and prints nothing', () => {
    const capture = readFixture('spusb_xml/fusinv-SPUSBDataType-elcapitan+-reporter900.4.1.xml');
    const bad = capture.replace('<array>', `<array>${'< '.repeat(100_000)}`);
    expect(parseSpUsbXml(bad)).toMatchObject({ ok: false, error: expect.stringMatching(/^malformed plist: not well-formed XML: /) });
    expect(parseZoomInfoPlist(bad, '/Applications/zoom.us.app')).toMatchObject({ ok: false, error: expect.stringContaining('not well-formed XML') });
  });
});
