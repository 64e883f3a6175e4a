import { DEFAULT_POLICY, Finding, FINDING_IDS, Snapshot, validator } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { FINDING_CATALOG } from './catalog.js';
import { diagnose, diagnoseWithErrors } from './diagnose.js';
import { resolvePolicy } from './policy.js';
import { RULES } from './rules/index.js';
import {
  buildSnapshot, firewallSection, osSection, SYSTEM_TCC_PATH, tccDb, tccEntry, tccSection, unavailableSection, unreadableTccDb,
  unsupportedSection, usbDevice, usbHub, usbSection, zoomDenied, zoomFirewallApp, zoomSection,
} from './testing/snapshots.js';

const checkSnapshot = validator(Snapshot);
const checkFinding = validator(Finding);

/** A Mac with one of almost everything wrong. */
function sickMac() {
  return buildSnapshot({
    os: osSection('12.5.1', '21G83'),
    zoom: zoomSection({ shortVersion: '5.16.10 (25689)', bundleVersion: '5.16.10.25689', version: '5.16.10.25689' }),
    tcc: tccSection([
      tccDb([zoomDenied('kTCCServiceScreenCapture')], { path: SYSTEM_TCC_PATH, scope: 'system', user: null }),
      tccDb([zoomDenied('kTCCServiceCamera'), zoomDenied('kTCCServiceMicrophone', { authReason: 6, authReasonName: 'mdm-policy' })]),
      unreadableTccDb({ user: 'bob', path: '/Users/bob/Library/Application Support/com.apple.TCC/TCC.db' }),
    ]),
    firewall: firewallSection({ globalState: 1, apps: [zoomFirewallApp(false)] }),
    usb: usbSection([usbHub([usbDevice({ power: { availableMa: 100, requiredMa: 500 } })])]),
  });
}

describe('diagnose', () => {
  it('finds nothing and leaves nothing unknown on a healthy Mac', () => {
    const snap = buildSnapshot();
    expect(checkSnapshot(snap)).toEqual({ ok: true, value: snap });
    expect(diagnoseWithErrors(snap)).toEqual({ findings: [], unknown: [], notReported: [], unknownReasons: [], ruleErrors: [] });
  });

  it('reports every problem of a sick Mac, critical first, then by id, each a valid Finding', () => {
    const snap = sickMac();
    expect(checkSnapshot(snap).ok).toBe(true);
    const findings = diagnose(snap);
    expect(findings.map((f) => [f.severity, f.key])).toEqual([
      ['critical', 'firewall.blocks-zoom:/Applications/zoom.us.app'],
      ['critical', 'tcc.camera.denied:us.zoom.xos'],
      ['critical', 'tcc.microphone.denied:mdm:us.zoom.xos'],
      ['warning', 'macos.outdated:system'],
      ['warning', 'tcc.screen-capture.denied:us.zoom.xos'],
      ['warning', 'tcc.unreadable:full-disk-access'],
      ['warning', 'usb.power.insufficient:0x02343000'],
      ['warning', 'zoom.outdated:/Applications/zoom.us.app'],
    ]);
    for (const f of findings) expect(checkFinding(f)).toEqual({ ok: true, value: f });
    // The MDM-set microphone denial offers no action; the user-set camera denial does.
    expect(findings.find((f) => f.id === 'tcc.microphone.denied')?.remedy.action).toBeUndefined();
    expect(findings.find((f) => f.id === 'tcc.camera.denied')?.remedy.action?.type).toBe('tcc.reset');
  });

  it('applies a policy override: minZoomVersion 5.0.0 makes 5.16.10 fine', () => {
    const ids = diagnose(sickMac(), resolvePolicy({ minZoomVersion: '5.0.0', minMacosVersion: '12.0' })).map((f) => f.id);
    expect(ids).not.toContain('zoom.outdated');
    expect(ids).not.toContain('macos.outdated');
    expect(ids).toContain('tcc.camera.denied');
  });

  it('names unavailable sections as unknown instead of healthy, with their reasons', () => {
    const snap = buildSnapshot({
      firewall: unavailableSection('socketfilterfw --getglobalstate exited 1: Operation not permitted', ['socketfilterfw --getglobalstate']),
      usb: unavailableSection('SPUSBDataType empty and SPUSBHostDataType failed'),
      power: unavailableSection('pmset failed'),
    });
    const result = diagnoseWithErrors(snap);
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual(['firewall', 'usb']);
    expect(result.unknownReasons).toEqual([
      { section: 'firewall', rule: 'firewall.blocks-zoom', reason: 'socketfilterfw --getglobalstate exited 1: Operation not permitted' },
      { section: 'firewall', rule: 'firewall.block-all', reason: 'socketfilterfw --getglobalstate exited 1: Operation not permitted' },
      { section: 'usb', rule: 'usb.power.insufficient', reason: 'SPUSBDataType empty and SPUSBHostDataType failed' },
      { section: 'usb', rule: 'usb.bandwidth.shared', reason: 'SPUSBDataType empty and SPUSBHostDataType failed' },
      { section: 'usb', rule: 'devices.camera.unlisted', reason: 'SPUSBDataType empty and SPUSBHostDataType failed' },
    ]);
    expect(result.ruleErrors).toEqual([]);
  });

  it('reports an unavailable TCC section as tcc.unreadable and as unknown', () => {
    const result = diagnoseWithErrors(buildSnapshot({ tcc: unavailableSection('no Full Disk Access', ['sqlite3']) }));
    expect(result.findings.map((f) => f.key)).toEqual(['tcc.unreadable:section']);
    expect(result.unknown).toEqual(['tcc']);
  });

  it('does not call unsupported sections unknown (a Linux host has no TCC or ALF)', () => {
    const snap = buildSnapshot({ tcc: unsupportedSection('TCC exists only on macOS'), firewall: unsupportedSection('ALF exists only on macOS') });
    expect(diagnoseWithErrors(snap)).toEqual({ findings: [], unknown: [], notReported: [], unknownReasons: [], ruleErrors: [] });
  });

  it('turns a value a rule cannot judge into an unknown section, not a rule error', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ globalState: null, blockAll: null }) });
    const result = diagnoseWithErrors(snap);
    expect(result.unknown).toEqual(['firewall']);
    expect(result.unknownReasons).toEqual([{
      section: 'firewall', rule: 'firewall.block-all', reason: 'neither the firewall global state nor its block-all setting could be read',
    }]);
    expect(result.ruleErrors).toEqual([]);
  });

  it('never throws on a malformed snapshot: the failing rule becomes a rule error, others still run', () => {
    const snap = sickMac();
    (snap.sections.firewall.data as { apps: unknown }).apps = undefined;
    const result = diagnoseWithErrors(snap);
    expect(result.ruleErrors).toEqual([{ rule: 'firewall.blocks-zoom', message: expect.stringContaining('filter') }]);
    expect(result.unknown).toEqual(['firewall']);
    expect(result.findings.map((f) => f.id)).toContain('tcc.camera.denied');
    expect(diagnose(snap).length).toBe(result.findings.length);
  });

  it('never throws on a snapshot with no sections at all', () => {
    const result = diagnoseWithErrors({} as Snapshot);
    expect(result.findings).toEqual([]);
    // Rules of later sections (network, zoomInstalls, devices, softwareUpdate) are skipped: an absent later section is "not reported", not an error.
    const later = new Set(['zoom.damaged', 'zoom.multiple-installs', 'macos.update-pending']);
    expect(result.ruleErrors.map((e) => e.rule)).toEqual(FINDING_IDS.filter((id) => !/^(network|devices)\./.test(id) && !later.has(id)));
    expect(result.unknown).toEqual(['os', 'zoom', 'tcc', 'firewall', 'usb']);
  });

  it('defaults to DEFAULT_POLICY', () => {
    expect(diagnose(sickMac())).toEqual(diagnose(sickMac(), DEFAULT_POLICY));
  });
});

describe('RULES and FINDING_CATALOG', () => {
  it('have one rule and one catalog entry per finding id, with the same title', () => {
    expect(RULES.map((r) => r.id)).toEqual([...FINDING_IDS]);
    expect(Object.keys(FINDING_CATALOG).sort()).toEqual([...FINDING_IDS].sort());
    for (const rule of RULES) {
      expect(rule.title).toBe(FINDING_CATALOG[rule.id].title);
      expect(rule.description.length).toBeGreaterThan(80);
    }
  });

  it('gives the severities the brief fixes', () => {
    const severities = Object.fromEntries(FINDING_IDS.map((id) => [id, FINDING_CATALOG[id].severity]));
    expect(severities).toEqual({
      'tcc.camera.denied': 'critical',
      'tcc.microphone.denied': 'critical',
      'tcc.screen-capture.denied': 'warning',
      'tcc.unreadable': 'warning',
      'firewall.blocks-zoom': 'critical',
      'firewall.block-all': 'critical',
      'usb.power.insufficient': 'warning',
      'usb.bandwidth.shared': 'warning',
      'zoom.outdated': 'warning',
      'zoom.not-installed': 'critical',
      'macos.outdated': 'warning',
      'network.zoom-unreachable': 'critical',
      'network.tls-inspected': 'warning',
      'network.extension-unsettled': 'warning',
      'zoom.damaged': 'critical',
      'zoom.multiple-installs': 'warning',
      'devices.camera.none': 'critical',
      'devices.camera.unlisted': 'warning',
      'devices.microphone.none': 'critical',
      'macos.update-pending': 'info',
    });
  });

  it('emits only findings whose id and severity match the catalog', () => {
    const snap = buildSnapshot({ zoom: zoomSection({ installed: false, bundleId: null, shortVersion: null, bundleVersion: null, version: null }) });
    for (const f of [...diagnose(snap), ...diagnose(sickMac())]) {
      expect(f.severity).toBe(FINDING_CATALOG[f.id as keyof typeof FINDING_CATALOG].severity);
      expect(f.key.startsWith(`${f.id}:`)).toBe(true);
    }
    expect(diagnose(snap).map((f) => f.key)).toEqual(['zoom.not-installed:/Applications/zoom.us.app']);
  });
});

describe('healthy TCC rows of other apps', () => {
  it('ignore denials of apps other than Zoom', () => {
    const snap = buildSnapshot({ tcc: tccSection([tccDb([tccEntry({ client: 'com.hnc.Discord', authValue: 0, authValueName: 'denied' })])]) });
    expect(diagnose(snap)).toEqual([]);
  });
});
