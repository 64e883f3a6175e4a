import { describe, expect, it } from 'vitest';
import { APP_PATH_PATTERN } from './commands.js';
import { DEFAULT_REMEDIATION_SCOPE, refuseAppPath, refuseOutsideScope, scopeProblems, zoomDataPaths } from './remediation-scope.js';

const pattern = new RegExp(APP_PATH_PATTERN);

describe('refuseAppPath: firewall actions name an application bundle under /Applications', () => {
  const allowed = [
    '/Applications/zoom.us.app',
    '/Applications/zoom.us.app/',
    '/Applications/Zoom.US.APP',
    '/Applications/zoom.us.app/Contents/Frameworks/ZoomUpdater.app',
    '/Applications/Utilities/Some Tool (2).app',
    '/Applications/zoom\u2028.app',
  ];
  const refused: [string, RegExp][] = [
    ['/bin/sh', /under \/Applications\//],
    ['/usr/bin/nc', /under \/Applications\//],
    ['/usr/bin/python3', /under \/Applications\//],
    ['/tmp/evil', /under \/Applications\//],
    ['/tmp/evil.app', /under \/Applications\//],
    ['/private/tmp/Evil.app', /under \/Applications\//],
    ['/Users/alice/Downloads/Evil.app', /under \/Applications\//],
    ['/Users/alice/Applications/zoom.us.app', /under \/Applications\//],
    ['/Users/Shared/Evil.app', /under \/Applications\//],
    ['/Volumes/USB/Evil.app', /under \/Applications\//],
    ['/usr/libexec/ApplicationFirewall/socketfilterfw', /under \/Applications\//],
    ['/applications/zoom.us.app', /under \/Applications\//],
    ['/Applications/../tmp/evil.app', /'\.\.' path segments/],
    ['/Applications/./zoom.us.app', /'\.' or '\.\.' path segments/],
    ['/Applications//zoom.us.app', /empty/],
    ['/Applications/zoom.us.app/Contents/MacOS/zoom.us', /must end in <name>\.app/],
    ['/Applications/.app', /must end in <name>\.app/],
    ['/Applications/', /must end in <name>\.app/],
    ['/Applications/zoom.us.app\n--setglobalstate off', /control characters/],
    ['/Applications/zoom\u007f.app', /control characters/],
    [`/Applications/${'a'.repeat(1024)}.app`, /longer than 1024/],
  ];
  it.each(allowed)('allows %s, and the schema pattern agrees', (p) => {
    expect(refuseAppPath(p)).toBeNull();
    expect(pattern.test(p)).toBe(true);
  });
  it.each(refused)('refuses %j, and the schema pattern agrees', (p, why) => {
    expect(refuseAppPath(p)).toMatch(why);
    if (p.length <= 1024) expect(pattern.test(p)).toBe(false);
  });
  it('refuses what is not a string', () => {
    expect(refuseAppPath(undefined)).toBe('refused parameter appPath undefined: not a string');
  });
});

describe('refuseOutsideScope', () => {
  const reset = (service: string, bundleId: string) => ({ type: 'tcc.reset', params: { service, bundleId } });
  it('allows the video-call services for Zoom by default', () => {
    for (const s of ['Camera', 'Microphone', 'ScreenCapture']) expect(refuseOutsideScope(reset(s, 'us.zoom.xos'), DEFAULT_REMEDIATION_SCOPE)).toBeNull();
  });
  it('refuses other services, other clients and the agent itself, naming what is allowed', () => {
    expect(refuseOutsideScope(reset('SystemPolicyAllFiles', 'com.fleetmedic.agent'), DEFAULT_REMEDIATION_SCOPE))
      .toBe('refused parameter service "SystemPolicyAllFiles": tcc.reset may reset Camera, Microphone, ScreenCapture (an admin widens this in the policy)');
    expect(refuseOutsideScope(reset('Camera', 'com.apple.Terminal'), DEFAULT_REMEDIATION_SCOPE))
      .toBe('refused parameter bundleId "com.apple.Terminal": tcc.reset may reset us.zoom.xos (an admin widens this in the policy)');
    const wide = { tccResetServices: ['Camera'], tccResetClients: ['us.zoom.xos', 'com.fleetmedic.agent'] };
    expect(refuseOutsideScope(reset('Camera', 'com.fleetmedic.agent'), wide)).toBe('refused parameter bundleId "com.fleetmedic.agent": the agent never resets its own permissions');
  });
  it('leaves actions without scoped parameters to the schema', () => {
    expect(refuseOutsideScope({ type: 'zoom.quit', params: {} }, DEFAULT_REMEDIATION_SCOPE)).toBeNull();
  });
  it('scopeProblems names bad services and clients', () => {
    expect(scopeProblems({ tccResetServices: ['Camera', 'Webcam'], tccResetClients: ['us.zoom.xos', 'not a bundle'] })).toEqual([
      expect.stringMatching(/^tccResetServices: "Webcam" is not a TCC service tccutil resets/),
      'tccResetClients: "not a bundle" is not a bundle id like us.zoom.xos',
    ]);
  });
});

describe('zoom.clear-caches: only the named user\'s Zoom data folders, named exactly', () => {
  const action = (user: unknown, paths: unknown) => ({ type: 'zoom.clear-caches', params: { user, paths } });
  it('allows each of the three folders of the user, alone or together', () => {
    expect(zoomDataPaths('alice')).toEqual([
      '/Users/alice/Library/Caches/us.zoom.xos',
      '/Users/alice/Library/Application Support/zoom.us',
      '/Users/alice/Library/Logs/zoom.us',
    ]);
    expect(refuseOutsideScope(action('alice', zoomDataPaths('alice')), DEFAULT_REMEDIATION_SCOPE)).toBeNull();
    expect(refuseOutsideScope(action('alice', ['/Users/alice/Library/Logs/zoom.us']), DEFAULT_REMEDIATION_SCOPE)).toBeNull();
  });
  const refused: [string, unknown, unknown, RegExp][] = [
    ['another user\'s folder', 'alice', ['/Users/bob/Library/Caches/us.zoom.xos'], /refused parameter paths "\/Users\/bob\/Library\/Caches\/us\.zoom\.xos": zoom\.clear-caches removes only \/Users\/alice\//],
    ['the whole Caches folder', 'alice', ['/Users/alice/Library/Caches'], /removes only/],
    ['a folder inside an allowed one', 'alice', ['/Users/alice/Library/Caches/us.zoom.xos/x'], /removes only/],
    ['a climb out with ..', 'alice', ['/Users/alice/Library/Caches/us.zoom.xos/../../..'], /removes only/],
    ['a trailing slash', 'alice', ['/Users/alice/Library/Logs/zoom.us/'], /removes only/],
    ['the home folder', 'alice', ['/Users/alice'], /removes only/],
    ['a system path', 'alice', ['/Library/Caches/us.zoom.xos'], /removes only/],
    ['one bad path among good ones', 'alice', ['/Users/alice/Library/Logs/zoom.us', '/etc'], /refused parameter paths "\/etc"/],
    ['no paths', 'alice', [], /non-empty list/],
    ['a user name with a slash', '../root', ['/Users/../root/Library/Caches/us.zoom.xos'], /refused parameter user "\.\.\/root": not a macOS short user name/],
    ['a missing user', undefined, ['/Users/alice/Library/Logs/zoom.us'], /refused parameter user undefined/],
  ];
  it.each(refused)('refuses %s', (_what, user, paths, reason) => {
    expect(refuseOutsideScope(action(user, paths), DEFAULT_REMEDIATION_SCOPE)).toMatch(reason);
  });
});
