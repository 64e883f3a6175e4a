import { describe, expect, it } from 'vitest';
import { changeWords, uncomparedWords } from '../web/model/changes.js';
import { ACCESS_COLUMNS_BY_LAYOUT, parseAccessRowsPipe, parseSpUsbJson, walkUsb } from '@fleetmedic/macos';
import type { TccFacts, UsbFacts } from '@fleetmedic/protocol';
import { readFixture } from '@fleetmedic/macos/testing';
import { DEFAULT_SORT } from '../web/model/sort.js';
import { rankProblems, findingInfo, reasonsByDevice } from '../web/model/findings.js';
import { devicesHref, href, parseRoute } from '../web/model/route.js';
import { tccProblems, tccRows, reasonWords } from '../web/model/tcc.js';
import { barFraction, usbTree, type UsbNode } from '../web/model/usb.js';
import { ago, describeAction, firewallStateWords, powerWords, tilesCaption } from '../web/model/words.js';
import { isCancellable, isTerminal, sameAction } from '../web/model/commands.js';
import { fromFirstMac, notEnoughHistory, sparklinePoints, spanWords, trendText } from '../web/model/trend.js';
import type { FleetSample } from '../web/api/types.js';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

function find(nodes: UsbNode[], locationId: string): UsbNode | undefined {
  for (const n of nodes) {
    if (n.device.locationId === locationId) return n;
    const inner = find(n.children, locationId);
    if (inner) return inner;
  }
  return undefined;
}

describe('usbTree on SPUSBDataType JSON (M1 Pro + Apple Thunderbolt Display + LG UltraFine)', () => {
  const usb: UsbFacts = value(parseSpUsbJson(readFixture('spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json')));
  const nodes = usbTree(usb, new Set(['0x40150000'])).flatMap((b) => b.nodes);

  it('gives each device its draw and port current in mA', () => {
    const camera = find(nodes, '0x40150000')!;
    expect(camera.device.name).toBe('FaceTime HD Camera (Display)');
    expect(camera.device.kind).toBe('camera');
    expect([camera.drawMa, camera.portMa, camera.overPort]).toEqual([500, 500, false]);
    const yubikey = find(nodes, '0x00100000')!;
    expect([yubikey.drawMa, yubikey.portMa]).toEqual([30, 500]);
  });

  it('marks the device named by a usb.power.insufficient finding, and only that one', () => {
    expect(find(nodes, '0x40150000')!.problem).toBe(true);
    expect(find(nodes, '0x40140000')!.problem).toBe(false);
    expect(find(nodes, '0x40100000')!.problem).toBe(false);
  });

  it('marks a hub named by a finding and the cameras and audio devices drawing through it, derived from the tree', () => {
    // The same capture with one fact changed: the display's hub taken as bus-powered, so the rule blames it.
    const busPowered: UsbFacts = value(parseSpUsbJson(readFixture('spusb_json/m1pro-t6000-lg-ultrafine-tbdisplay-yubikey.json')));
    [...walkUsb(busPowered)].find((e) => e.device.locationId === '0x40100000')!.device.selfPowered = false;
    const flat = (ns: UsbNode[]): UsbNode[] => ns.flatMap((n) => [n, ...flat(n.children)]);
    const marked = (keys: string[]) => flat(usbTree(busPowered, new Set(keys)).flatMap((b) => b.nodes)).filter((n) => n.problem).map((n) => n.key);
    // Hub, FaceTime HD Camera (Display), Display Audio; not the display's controls nor the PenDrive.
    expect(marked(['0x40100000'])).toEqual(['0x40100000', '0x40150000', '0x40140000']);
    expect(marked([])).toEqual([]);
    // A hub subject with no cause in this tree (the finding is older than this report) marks only itself.
    expect(marked(['0x03100000'])).toEqual(['0x03100000']);
  });

  it("sums a hub's own and its children's draw; a display's hub counts as self-powered (no bus budget)", () => {
    const hub = find(nodes, '0x40100000')!;
    expect(hub.device.name).toBe('USB hub');
    // own 100 + Thunderbolt Display 2 + camera 500 + Display Audio 2 + PenDrive 200
    expect(hub.hub).toEqual({ budgetMa: null, demandMa: 804, selfPowered: true, over: false });
    expect(hub.children.map((c) => c.device.locationId)).toEqual(['0x40170000', '0x40150000', '0x40140000', '0x40120000']);
    expect(find(nodes, '0x40150000')!.hub).toBeNull();
  });

  it('draws bars as a share of the budget, full when over, empty when unknown', () => {
    expect(barFraction(96, 900)).toBeCloseTo(0.1067, 3);
    expect(barFraction(704, 400)).toBe(1);
    expect(barFraction(null, 500)).toBe(0);
    expect(barFraction(100, 0)).toBe(0);
  });
});

describe('tccRows on real TCC.db access rows', () => {
  it('lists camera, microphone and screen recording first, with the decision in words', () => {
    const entries = value(parseAccessRowsPipe(readFixture('tcc/rows-2024-user-db-service-client-authvalue.txt'), ['service', 'client', 'auth_value']));
    const tcc: TccFacts = { databases: [{ path: '/Users/user/Library/Application Support/com.apple.TCC/TCC.db', scope: 'user', user: 'user', status: 'ok', layout: null, columns: ['service', 'client', 'auth_value'], entries }] };
    const rows = tccRows(tcc);
    expect(rows).toHaveLength(entries.length);
    const firstOther = rows.findIndex((r) => !r.callService);
    expect(firstOther).toBeGreaterThan(0);
    expect(rows.slice(firstOther).every((r) => !r.callService)).toBe(true);
    const brave = rows.find((r) => r.service === 'kTCCServiceMicrophone' && r.client === 'com.brave.Browser')!;
    expect(brave).toMatchObject({ serviceLabel: 'Microphone', decision: 'denied', denied: true, isZoom: false, why: null, database: 'user: user' });
  });

  it('says why with auth_reason (13-column Ventura rows) and when from last_modified', () => {
    const columns = ACCESS_COLUMNS_BY_LAYOUT['auth-13']!;
    const entries = value(parseAccessRowsPipe(readFixture('tcc/rows-ventura-select-star-13col.txt'), columns));
    const rows = tccRows({ databases: [{ path: '/Library/Application Support/com.apple.TCC/TCC.db', scope: 'system', user: null, status: 'ok', layout: 'auth-13', columns: [...columns], entries }] });
    const liverpool = rows.find((r) => r.client === 'com.apple.securityd')!;
    expect(liverpool).toMatchObject({ service: 'kTCCServiceLiverpool', decision: 'allowed', why: 'set by macOS (system-set)', database: 'system' });
    expect(liverpool.when).toBe('2023-02-16T04:12:40.000Z');
  });

  it('names unreadable TCC.db files with their reason, never as empty', () => {
    const problems = tccProblems({ databases: [{ path: '/Library/Application Support/com.apple.TCC/TCC.db', scope: 'system', user: null, status: 'unreadable', reason: 'authorization denied — the agent needs Full Disk Access to read TCC.db', layout: null, columns: [], entries: [] }] });
    expect(problems).toEqual([{ database: 'system', path: '/Library/Application Support/com.apple.TCC/TCC.db', status: 'unreadable', reason: 'authorization denied — the agent needs Full Disk Access to read TCC.db' }]);
    expect(reasonWords('mdm-policy')).toBe('MDM profile (PPPC) (mdm-policy)');
    expect(reasonWords('other-42')).toBe('other-42');
  });
});

describe('fleet summary ranking', () => {
  it('puts critical findings first, then the most Macs, and drops zero counts', () => {
    const ranked = rankProblems([
      { id: 'macos.outdated', severity: 'warning', devices: 3, open: 3 },
      { id: 'tcc.unreadable', severity: 'warning', devices: 2, open: 3 },
      { id: 'tcc.camera.denied', severity: 'critical', devices: 1, open: 1 },
      { id: 'firewall.blocks-zoom', severity: 'critical', devices: 2, open: 2 },
      { id: 'zoom.outdated', severity: 'warning', devices: 0, open: 0 },
    ]);
    expect(ranked.map((p) => [p.id, p.count])).toEqual([
      ['firewall.blocks-zoom', 2], ['tcc.camera.denied', 1], ['macos.outdated', 3], ['tcc.unreadable', 2],
    ]);
    expect(ranked[0]!.title).toBe('Application firewall blocks Zoom');
    expect(ranked[0]!.breaks).toBe('Audio and video of calls fail');
    expect(findingInfo('no.such.rule')).toEqual({ title: 'no.such.rule', severity: 'warning', breaks: '', description: null });
  });

  it('gathers each device\'s open finding ids from the per-finding lists, critical first', () => {
    const reasons = reasonsByDevice([
      ['macos.outdated', ['d-1', 'd-2']],
      ['zoom.not-installed', ['d-1']],
      ['tcc.camera.denied', ['d-3']],
    ]);
    expect(Object.fromEntries(reasons)).toEqual({
      'd-1': ['zoom.not-installed', 'macos.outdated'],
      'd-2': ['macos.outdated'],
      'd-3': ['tcc.camera.denied'],
    });
  });
});

describe('routes in the URL hash', () => {
  it('round-trips the device list filters and device ids', () => {
    const link = devicesHref({ finding: 'tcc.camera.denied', online: 'false' });
    expect(link).toBe('#/devices?finding=tcc.camera.denied&online=false');
    expect(parseRoute(link)).toEqual({ page: 'devices', filters: { search: '', finding: 'tcc.camera.denied', health: '', online: 'false', sort: '', limit: '' } });
    expect(parseRoute(href({ page: 'device', id: 'f1d2e3c2-4487-445f-9c0c-897ff8ec244b' }))).toEqual({ page: 'device', id: 'f1d2e3c2-4487-445f-9c0c-897ff8ec244b' });
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
    expect(DEFAULT_SORT).toBe('worst');
  });
});

describe('words', () => {
  it('names the target Mac and the exact parameters of an action', () => {
    expect(describeAction({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, 'mba-m2-14'))
      .toBe('Reset the Camera permission (TCC) of us.zoom.xos on mba-m2-14. macOS asks the user again the next time the app wants it.');
    expect(describeAction({ type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } }, 'mbp-m2pro-26'))
      .toBe('Allow incoming connections to /Applications/zoom.us.app in the application firewall of mbp-m2pro-26.');
  });

  it('reads firewall state, power and ages', () => {
    const fw = { globalState: 2, blockAll: null, stealthMode: null, allowSignedBuiltIn: null, allowSignedDownloaded: null, apps: [] };
    expect(firewallStateWords(fw)).toBe('On, blocking all incoming connections');
    expect(firewallStateWords({ ...fw, globalState: null })).toBe('Unknown');
    expect(powerWords({ source: 'ac', adapterConnected: true, adapterWatts: 96, adapterName: null, batteryPresent: true, batteryPercent: 100, batteryState: 'charged' }))
      .toBe('Power adapter, 96 W, battery 100 %, charged');
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(ago('2026-01-01T11:58:30Z', now)).toBe('1 min ago');
    expect(ago(null, now)).toBe('never');
  });

  it('captions the overview tiles: counted by last report, offline Macs included, and how many are offline', () => {
    // The newcomer's fleet: Ready 5, Cannot join 9, Offline 13 of 14 read as if they did not add up.
    expect(tilesCaption({ total: 14, offline: 13 })).toBe('Counted by each Mac\'s last report, offline Macs included: 13 of 14 Macs are offline, shown as they were when last seen.');
    expect(tilesCaption({ total: 14, offline: 1 })).toBe('Counted by each Mac\'s last report, offline Macs included: 1 of 14 Macs is offline, shown as it was when last seen.');
    expect(tilesCaption({ total: 1, offline: 1 })).toBe('Counted by each Mac\'s last report, offline Macs included: the only Mac is offline, shown as it was when last seen.');
    expect(tilesCaption({ total: 14, offline: 0 })).toBe('Counted by each Mac\'s last report; all 14 Macs are online.');
    expect(tilesCaption({ total: 1, offline: 0 })).toBe('Counted by each Mac\'s last report; the Mac is online.');
    expect(tilesCaption({ total: 0, offline: 0 })).toBeNull();
  });

  it('knows which commands can still change', () => {
    expect(isTerminal('succeeded')).toBe(true);
    expect(isTerminal('acknowledged')).toBe(false);
    expect(isCancellable('sent')).toBe(true);
    expect(isCancellable('acknowledged')).toBe(false);
    expect(sameAction({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, { type: 'tcc.reset', params: { bundleId: 'us.zoom.xos', service: 'Camera' } })).toBe(true);
    expect(sameAction({ type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, { type: 'tcc.reset', params: { service: 'Microphone', bundleId: 'us.zoom.xos' } })).toBe(false);
  });
});

describe('trend', () => {
  const sample = (at: string, ready: number, cannotJoin: number): FleetSample =>
    ({ at, total: 12, cannotJoin, atRisk: 1, unknown: 11 - ready - cannotJoin, ready, offline: 0, findings: {} });
  const week = [sample('2026-06-01T12:00:00.000Z', 9, 3), sample('2026-06-04T12:00:00.000Z', 8, 4), sample('2026-06-08T12:00:00.000Z', 11, 1)];

  it('tells the first and last counts over the span, for screen readers', () => {
    expect(trendText(week)).toBe('Cannot join: 3 → 1; at risk: 1 → 1; ready for calls: 9 → 11, over 7 days');
  });

  it('starts at the first sample with an enrolled Mac: the empty samples of a new server are no rise in problems', () => {
    const empty = { ...sample('2026-06-01T11:45:00.000Z', 0, 0), total: 0, unknown: 0 };
    expect(fromFirstMac([empty, ...week])).toEqual(week);
    expect(trendText(fromFirstMac([empty, week[0]!]))).toBeNull();
    expect(fromFirstMac([empty])).toEqual([]);
    expect(fromFirstMac(week)).toEqual(week);
  });

  it('has no trend to tell with fewer than 2 samples, and says so plainly', () => {
    expect(trendText([])).toBeNull();
    expect(trendText([week[0]!])).toBeNull();
    const hhmm = (iso: string) => iso.slice(11, 16);
    expect(notEnoughHistory([], hhmm)).toBe('Not enough history yet: the first point is taken as soon as a Mac reports.');
    expect(notEnoughHistory([week[0]!], hhmm)).toBe('Not enough history yet: one point so far (12:00, 12 Macs). '
      + 'The next comes when another Mac reports for the first time, or at the next scheduled sample.');
  });

  it('names the span in days, hours or minutes', () => {
    expect(spanWords('2026-06-01T12:00:00Z', '2026-06-02T12:00:00Z')).toBe('24 hours');
    expect(spanWords('2026-06-01T12:00:00Z', '2026-06-03T12:00:00Z')).toBe('2 days');
    expect(spanWords('2026-06-01T12:00:00Z', '2026-06-01T12:15:00Z')).toBe('15 minutes');
    expect(spanWords('2026-06-01T12:00:00Z', '2026-06-01T13:00:00Z')).toBe('60 minutes');
    expect(spanWords('2026-06-01T12:00:00Z', '2026-06-01T14:00:00Z')).toBe('2 hours');
  });

  it('places sparkline points by time, 0 at the bottom and the fleet size at the top', () => {
    const times = week.map((s) => Date.parse(s.at));
    expect(sparklinePoints(week.map((s) => s.ready), times, 12, 700, 120)).toBe('0,30 300,40 700,10');
    expect(sparklinePoints([0, 0], [0, 0], 0, 100, 50)).toBe('0,50 0,50');
  });
});

describe('what changed before it broke, in words', () => {
  const camera = { findingId: 'tcc.camera.denied', devices: 41, compared: 40, changes: [{ section: 'os', change: 'macOS 15.2 → 15.3', devices: 38 }] };
  it('says how many of the Macs with the finding made the change, and in what window', () => {
    expect(changeWords(camera, camera.changes[0]!, 24)).toBe('38 of 41 Macs with “Zoom is denied the camera” went through macOS 15.2 → 15.3 in the 24 hours before it appeared');
    expect(changeWords(camera, camera.changes[0]!, 72)).toContain('in the 3 days before');
  });
  it('says plainly which Macs could not be compared, and when nothing changed', () => {
    expect(uncomparedWords(camera, 24)).toBe('1 Mac had it from its first report: nothing before to compare.');
    expect(uncomparedWords({ devices: 3, compared: 3, changes: [] }, 24)).toBe('No section of these Macs changed in the 24 hours before it appeared.');
    expect(uncomparedWords({ devices: 3, compared: 3, changes: camera.changes }, 24)).toBeNull();
  });
});
