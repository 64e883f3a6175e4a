import { HEALTHS, healthRank } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { diagnoseWithErrors } from './diagnose.js';
import { judgeHealth, READINESS_SECTIONS } from './health.js';
import { buildSnapshot, firewallSection, osSection, tccSection, unavailableSection, unreadableTccDb, usbDevice, usbHub, usbSection, zoomDenied, tccDb } from './testing/snapshots.js';

/** The health of a snapshot as the server judges it from a fresh diagnosis (every finding open). */
const healthOf = (snap: ReturnType<typeof buildSnapshot>) => {
  const d = diagnoseWithErrors(snap);
  return judgeHealth({ openSeverities: d.findings.map((f) => f.severity), unknownSections: d.unknown });
};

describe('judgeHealth: the one severity model', () => {
  it('says cannot-join for any critical finding, whatever else is wrong or unknown', () => {
    expect(healthOf(buildSnapshot({ tcc: tccSection([tccDb([zoomDenied('kTCCServiceCamera')])]), usb: unavailableSection('ioreg failed') }))).toBe('cannot-join');
    expect(healthOf(buildSnapshot({ firewall: firewallSection({ globalState: 2 }) }))).toBe('cannot-join');
  });

  it('says at-risk for warnings only', () => {
    expect(healthOf(buildSnapshot({ os: osSection('12.5.1', '21G83') }))).toBe('at-risk');
    expect(healthOf(buildSnapshot({ usb: usbSection([usbHub([usbDevice({ power: { availableMa: 100, requiredMa: 500 } })])]) }))).toBe('at-risk');
  });

  it('says unknown when permissions could not be read and nothing critical is known, though tcc.unreadable is a warning', () => {
    expect(healthOf(buildSnapshot({ tcc: tccSection([unreadableTccDb()]) }))).toBe('unknown');
    expect(healthOf(buildSnapshot({ tcc: unavailableSection('no Full Disk Access'), os: osSection('12.5.1', '21G83') }))).toBe('unknown');
  });

  it('says unknown, not ready, when a section that only warns could not be checked; at-risk wins over it', () => {
    expect(judgeHealth({ openSeverities: [], unknownSections: ['usb'] })).toBe('unknown');
    expect(judgeHealth({ openSeverities: ['warning'], unknownSections: ['usb'] })).toBe('at-risk');
  });

  it('says ready only when every section was checked and nothing is open', () => {
    expect(healthOf(buildSnapshot())).toBe('ready');
  });

  it('decides readiness by the sections of critical rules, and ranks worst first', () => {
    expect([...READINESS_SECTIONS].sort()).toEqual(['devices', 'firewall', 'network', 'tcc', 'zoom', 'zoomInstalls']);
    expect(HEALTHS.map(healthRank)).toEqual([0, 1, 2, 3]);
    expect(HEALTHS[0]).toBe('cannot-join');
  });
});
