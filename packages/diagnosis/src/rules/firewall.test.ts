import { DEFAULT_POLICY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { CannotJudge } from '../rule.js';
import { resolvePolicy } from '../policy.js';
import { buildSnapshot, firewallSection, zoomFirewallApp, zoomSection } from '../testing/snapshots.js';
import { firewallBlockAll } from './firewall-block-all.js';
import { firewallBlocksZoom } from './firewall-blocks-zoom.js';

const spotify = { path: '/Applications/Spotify.app', name: null, allowIncoming: false };

describe('firewall.blocks-zoom', () => {
  it('finds zoom.us.app set to Block incoming while the firewall is on, with a firewall.allow', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ globalState: 1, apps: [spotify, zoomFirewallApp(false)] }) });
    expect(firewallBlocksZoom.evaluate(snap, DEFAULT_POLICY)).toEqual([{
      id: 'firewall.blocks-zoom',
      key: 'firewall.blocks-zoom:/Applications/zoom.us.app',
      severity: 'critical',
      title: 'Application firewall blocks Zoom',
      evidence: [{
        section: 'firewall',
        detail: 'Application firewall global state 1 (on); /Applications/zoom.us.app: Block incoming connections.',
        value: { globalState: 1, app: zoomFirewallApp(false) },
      }],
      remedy: {
        summary: 'Allow incoming connections for /Applications/zoom.us.app in the application firewall (socketfilterfw --unblockapp).',
        action: { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } },
      },
    }]);
  });

  it('recognises helpers inside the bundle, other letter case, and name-only entries', () => {
    const apps = [
      zoomFirewallApp(false, '/Applications/zoom.us.app/Contents/Frameworks/ZoomUpdater.app'),
      zoomFirewallApp(false, '/Applications/Zoom.US.app'),
      { path: null, name: 'us.zoom.xos', allowIncoming: false },
      { path: null, name: 'zoom.us', allowIncoming: false },
      zoomFirewallApp(false, '/Applications/zoom.us.application'),
    ];
    const findings = firewallBlocksZoom.evaluate(buildSnapshot({ firewall: firewallSection({ apps }) }), DEFAULT_POLICY);
    expect(findings.map((f) => [f.key, f.remedy.action])).toEqual([
      ['firewall.blocks-zoom:/Applications/zoom.us.app/Contents/Frameworks/ZoomUpdater.app',
        { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app/Contents/Frameworks/ZoomUpdater.app' } }],
      ['firewall.blocks-zoom:/Applications/Zoom.US.app', { type: 'firewall.allow', params: { appPath: '/Applications/Zoom.US.app' } }],
      ['firewall.blocks-zoom:us.zoom.xos', { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } }],
      ['firewall.blocks-zoom:zoom.us', { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } }],
    ]);
  });

  it('uses the app path the zoom section looked at, and the policy app path', () => {
    const moved = zoomFirewallApp(false, '/Users/alice/Applications/zoom.us.app');
    const snap = buildSnapshot({ firewall: firewallSection({ apps: [moved] }) });
    expect(firewallBlocksZoom.evaluate(snap, DEFAULT_POLICY)).toEqual([]);
    expect(firewallBlocksZoom.evaluate(snap, resolvePolicy({ zoomAppPath: '/Users/alice/Applications/zoom.us.app' }))).toHaveLength(1);
    const seen = buildSnapshot({ firewall: firewallSection({ apps: [moved] }), zoom: zoomSection({ appPath: '/Users/alice/Applications/zoom.us.app' }) });
    expect(firewallBlocksZoom.evaluate(seen, DEFAULT_POLICY).map((f) => f.key)).toEqual(['firewall.blocks-zoom:/Users/alice/Applications/zoom.us.app']);
  });

  it('offers no firewall.allow for a Zoom outside /Applications (the remediation scope refuses it) and says why', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ apps: [zoomFirewallApp(false, '/Users/alice/Applications/zoom.us.app')] }) });
    const [finding] = firewallBlocksZoom.evaluate(snap, resolvePolicy({ zoomAppPath: '/Users/alice/Applications/zoom.us.app' }));
    expect(finding?.remedy.action).toBeUndefined();
    expect(finding?.remedy.summary).toContain('FleetMedic does not do it: refused parameter appPath "/Users/alice/Applications/zoom.us.app": firewall actions take an application bundle under /Applications/');
  });

  it('finds nothing when Zoom is allowed, the firewall is off, or it blocks all (block-all reports that)', () => {
    expect(firewallBlocksZoom.evaluate(buildSnapshot(), DEFAULT_POLICY)).toEqual([]);
    for (const globalState of [0, 2]) {
      const snap = buildSnapshot({ firewall: firewallSection({ globalState, apps: [zoomFirewallApp(false)] }) });
      expect(firewallBlocksZoom.evaluate(snap, DEFAULT_POLICY)).toEqual([]);
    }
    for (const globalState of [0, 2]) {
      const unreadOff = buildSnapshot({ firewall: firewallSection({ globalState, apps: [zoomFirewallApp(null)] }) });
      expect(firewallBlocksZoom.evaluate(unreadOff, DEFAULT_POLICY)).toEqual([]);
    }
  });

  it('cannot judge a Zoom entry whose incoming setting could not be read while the firewall is on or unknown (found by review: alf.plist states)', () => {
    const unread = buildSnapshot({ firewall: firewallSection({ apps: [zoomFirewallApp(null)] }) });
    expect(() => firewallBlocksZoom.evaluate(unread, DEFAULT_POLICY)).toThrow(CannotJudge);
    expect(() => firewallBlocksZoom.evaluate(unread, DEFAULT_POLICY)).toThrow('the firewall is on and lists /Applications/zoom.us.app, but its incoming setting could not be read');
    const unknownState = buildSnapshot({ firewall: firewallSection({ globalState: null, apps: [{ path: null, name: 'us.zoom.xos', allowIncoming: null }] }) });
    expect(() => firewallBlocksZoom.evaluate(unknownState, DEFAULT_POLICY)).toThrow('lists us.zoom.xos with an incoming setting that could not be read, and the global state is unknown');
    // A blocked entry beside an unread one: the blocked one is a finding.
    const both = buildSnapshot({ firewall: firewallSection({ apps: [zoomFirewallApp(false), zoomFirewallApp(null, '/Applications/zoom.us.app/Contents/Frameworks/ZoomOpener.app')] }) });
    expect(firewallBlocksZoom.evaluate(both, DEFAULT_POLICY).map((f) => f.key)).toEqual(['firewall.blocks-zoom:/Applications/zoom.us.app']);
  });

  it('cannot judge a blocked Zoom entry when the global state is unknown', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ globalState: null, apps: [zoomFirewallApp(false)] }) });
    expect(() => firewallBlocksZoom.evaluate(snap, DEFAULT_POLICY)).toThrow(CannotJudge);
    expect(() => firewallBlocksZoom.evaluate(snap, DEFAULT_POLICY)).toThrow('firewall global state is unknown');
  });
});

describe('firewall.block-all', () => {
  it('finds global state 2, critical, with no action', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ globalState: 2, blockAll: true }) });
    const findings = firewallBlockAll.evaluate(snap, DEFAULT_POLICY);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      key: 'firewall.block-all:global',
      severity: 'critical',
      evidence: [{ section: 'firewall', detail: 'Application firewall blocks all incoming connections (global state 2, block all enabled).' }],
    });
    expect(findings[0]?.remedy.action).toBeUndefined();
    expect(findings[0]?.remedy.summary).toContain('Block all incoming connections');
  });

  it('finds block all set while the global state reads 1, and block all alone', () => {
    const a = firewallBlockAll.evaluate(buildSnapshot({ firewall: firewallSection({ globalState: 1, blockAll: true }) }), DEFAULT_POLICY);
    expect(a[0]?.evidence[0]?.detail).toBe('Application firewall blocks all incoming connections (global state 1, block all enabled).');
    const b = firewallBlockAll.evaluate(buildSnapshot({ firewall: firewallSection({ globalState: null, blockAll: true }) }), DEFAULT_POLICY);
    expect(b[0]?.evidence[0]?.detail).toBe('Application firewall blocks all incoming connections (block all enabled).');
  });

  it('finds nothing for state 0 or 1 without block all', () => {
    for (const globalState of [0, 1]) {
      expect(firewallBlockAll.evaluate(buildSnapshot({ firewall: firewallSection({ globalState, blockAll: false }) }), DEFAULT_POLICY)).toEqual([]);
    }
    expect(firewallBlockAll.evaluate(buildSnapshot({ firewall: firewallSection({ globalState: 1, blockAll: null }) }), DEFAULT_POLICY)).toEqual([]);
  });

  it('cannot judge when neither value was read', () => {
    const snap = buildSnapshot({ firewall: firewallSection({ globalState: null, blockAll: null }) });
    expect(() => firewallBlockAll.evaluate(snap, DEFAULT_POLICY)).toThrow('neither the firewall global state nor its block-all setting could be read');
  });
});
