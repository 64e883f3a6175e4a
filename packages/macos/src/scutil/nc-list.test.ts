import type { VpnService } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, readExtraCapture } from '../testing/fixtures.js';
import { parseNcList } from './nc-list.js';

/** Every real capture with the services it lists. */
const EXPECTED: Record<string, VpnService[]> = {
  'scutil-nc-list-alfred19-empty.txt': [],
  'scutil-nc-list-alfred19-l2tp-disconnected.txt': [
    { id: 'E3A8F336-CCEB-4A29-B50A-FBAD41D84A71', name: 'My VPN', state: 'Disconnected', enabled: true, kind: 'PPP --> L2TP', bundleId: null },
  ],
  'scutil-nc-list-growler24-pptp-uuid-elided.txt': [{ id: 'A2......CC', name: 'myVPName', state: 'Disconnected', enabled: true, kind: 'PPP --> PPTP', bundleId: null }],
  'scutil-nc-list-tailscale-connected-protonvpn.txt': [
    { id: '07CD635E-71A1-4229-9C2F-B485A7702C9A', name: 'Tailscale', state: 'Connected', enabled: true, kind: 'VPN (io.tailscale.ipn.macsys)', bundleId: 'io.tailscale.ipn.macsys' },
    { id: '2C5C591F-B2EB-4ADD-8A69-04109E8ABCA1', name: 'ProtonVPN', state: 'Disconnected', enabled: true, kind: 'VPN (ch.protonvpn.mac)', bundleId: 'ch.protonvpn.mac' },
  ],
};

describe('parseNcList on every real capture', () => {
  it('covers every capture', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(listExtraCaptures('scutil-nc-list-'));
  });

  it.each(Object.entries(EXPECTED))('%s', (file, value) => {
    expect(parseNcList(readExtraCapture(file))).toEqual({ ok: true, value, problems: [] });
  });
});

describe('parseNcList on other input', () => {
  it('reads a disabled service (no "*") and takes the bundle id from the type column', () => {
    const r = parseNcList('Available network connection services in the current set (*=enabled):\n  (Connecting)     X-1 IPSec \t"Corp \\"HQ\\""  [VPN:com.example.vpn]\n');
    expect(r).toEqual({ ok: true, value: [{ id: 'X-1', name: 'Corp \\"HQ\\"', state: 'Connecting', enabled: false, kind: 'IPSec', bundleId: 'com.example.vpn' }], problems: [] });
  });

  it('fails without the header and names lines it cannot read', () => {
    expect(parseNcList('')).toMatchObject({ ok: false, error: expect.stringMatching(/not scutil --nc list output/) });
    const r = parseNcList('Available network connection services in the current set (*=enabled):\nNo service\n* (Connected) id-only\n');
    expect(r).toEqual({ ok: true, value: [], problems: ['not a service line: "No service"', 'no quoted name: "* (Connected) id-only"'] });
  });

  it('never throws and returns only names found in the input (property)', () => {
    const base = readExtraCapture('scutil-nc-list-tailscale-connected-protonvpn.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseNcList(text);
      if (r.ok) for (const s of r.value) expect(text).toContain(s.name);
    }));
  });

  it('reads 8 MiB of spaces in linear time', { timeout: 30_000 }, () => {
    expect(parseNcList(' '.repeat(8 * 1024 * 1024))).toMatchObject({ ok: false });
    expect(parseNcList(`Available network connection services in the current set (*=enabled):\n* (${' '.repeat(8 * 1024 * 1024)}`)).toMatchObject({ ok: true, value: [] });
  });
});
