import { describe, expect, it } from 'vitest';
import { describeSectionChange } from './changes.js';
import {
  firewallSection, healthySections, osSection, softwareUpdateSection, tccDb, tccEntry, tccSection, unavailableSection, usbDevice, usbSection, zoomDenied,
  zoomFirewallApp, zoomSection,
} from './testing/snapshots.js';

describe('describeSectionChange: the same change reads the same on every Mac', () => {
  it('names a macOS update, and a build-only update', () => {
    expect(describeSectionChange('os', osSection('15.2', '24C101'), osSection('15.3', '24D60'))).toEqual(['macOS 15.2 → 15.3']);
    expect(describeSectionChange('os', osSection('15.3', '24D60'), osSection('15.3', '24D70'))).toEqual(['macOS 15.3 build 24D60 → 24D70']);
  });

  it('names Zoom updated, removed or installed', () => {
    expect(describeSectionChange('zoom', zoomSection({ shortVersion: '6.2.5 (1)' }), zoomSection({ shortVersion: '6.3.11 (51090)' }))).toEqual(['Zoom 6.2.5 (1) → 6.3.11 (51090)']);
    expect(describeSectionChange('zoom', zoomSection({}), zoomSection({ installed: false, shortVersion: null, version: null, bundleVersion: null }))).toEqual(['Zoom removed']);
  });

  it('names Zoom\'s TCC decisions by scope, not by user or path, so two users\' Macs match', () => {
    const before = tccSection([tccDb([tccEntry({ service: 'kTCCServiceCamera' })])]);
    const alice = tccSection([tccDb([zoomDenied('kTCCServiceCamera')])]);
    const bob = tccSection([tccDb([zoomDenied('kTCCServiceCamera')], { user: 'bob', path: '/Users/bob/Library/Application Support/com.apple.TCC/TCC.db' })]);
    const expected = ['kTCCServiceCamera for us.zoom.xos (user TCC.db): allowed → denied'];
    expect(describeSectionChange('tcc', before, alice)).toEqual(expected);
    expect(describeSectionChange('tcc', before, bob)).toEqual(expected);
  });

  it('names firewall mode changes and Zoom\'s entry', () => {
    expect(describeSectionChange('firewall', firewallSection({ globalState: 1 }), firewallSection({ globalState: 2, blockAll: true })))
      .toEqual(['firewall global state 1 → 2', 'firewall block all false → true']);
    expect(describeSectionChange('firewall', firewallSection({ apps: [zoomFirewallApp(true)] }), firewallSection({ apps: [zoomFirewallApp(false)] })))
      .toEqual(['Zoom in the firewall: allowed → blocked']);
  });

  it('names USB devices connected and disconnected, and ignores power (charge and source change all day)', () => {
    const cam = usbDevice({ name: 'Logitech BRIO' });
    expect(describeSectionChange('usb', usbSection([]), usbSection([cam]))).toEqual(['USB device connected: Logitech BRIO']);
    const power = healthySections().power;
    expect(describeSectionChange('power', power, { ...power, data: { ...power.data!, batteryPercent: 12, source: 'battery' } })).toEqual([]);
  });

  it('names updates that came or went and a restart, never the list\'s age (it grows at every report)', () => {
    const item = { label: 'macOS Sequoia 15.3-24D60', title: 'macOS Sequoia', version: '15.3', sizeKiB: 1_000_000, recommended: true, restartRequired: true };
    const cached = softwareUpdateSection();
    expect(describeSectionChange('softwareUpdate', cached, softwareUpdateSection({ cacheAgeSeconds: 900 }))).toEqual([]);
    expect(describeSectionChange('softwareUpdate', cached, softwareUpdateSection({ checkedAt: '2024-06-05T08:30:00.000Z' }))).toEqual([]);
    expect(describeSectionChange('softwareUpdate', cached, softwareUpdateSection({ updates: [item] }))).toEqual(['update pending: macOS Sequoia 15.3-24D60']);
    expect(describeSectionChange('softwareUpdate', softwareUpdateSection({ updates: [item] }), softwareUpdateSection({ lastBootAt: '2024-06-04T09:00:00.000Z' })))
      .toEqual(['update no longer pending: macOS Sequoia 15.3-24D60', 'Mac restarted']);
  });

  it('names a section that stopped being readable, and a section it has no words for', () => {
    expect(describeSectionChange('tcc', tccSection([tccDb([])]), unavailableSection('no Full Disk Access'))).toEqual(['tcc could be read → unavailable']);
    expect(describeSectionChange('network', { status: 'ok', data: { a: 1 } }, { status: 'ok', data: { a: 2 } })).toEqual(['network facts changed']);
    expect(describeSectionChange('os', { status: 'ok', data: 'garbled' }, { status: 'ok', data: 42 })).toEqual([]);
    expect(describeSectionChange('usb', { status: 'ok', data: 'garbled' }, { status: 'ok', data: { buses: 'no' } })).toEqual(['usb facts changed']);
  });
});
