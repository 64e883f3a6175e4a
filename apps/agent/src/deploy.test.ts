// The files an admin deploys beside the agent (apps/agent/deploy/) agree with each other: the Full
// Disk Access profile grants the node the LaunchDaemon runs, and log rotation names its log.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';

const DEPLOY = path.join(REPO_ROOT, 'apps/agent/deploy');
const read = (name: string) => readFile(path.join(DEPLOY, name), 'utf8');

interface Daemon { EnvironmentVariables: Record<string, string>; StandardErrorPath: string }
interface PppcEntry { Identifier: string; IdentifierType: string; CodeRequirement: string; StaticCode: boolean; Authorization: string }
interface Profile {
  PayloadType: string; PayloadScope: string; PayloadUUID: string;
  PayloadContent: { PayloadType: string; PayloadUUID: string; Services: Record<string, PppcEntry[]> }[];
}

describe('apps/agent/deploy', () => {
  it('the Full Disk Access profile grants SystemPolicyAllFiles to the exact node the LaunchDaemon runs, by path and code requirement', async () => {
    const daemon = parsePlist(await read('com.fleetmedic.agent.plist')) as unknown as Daemon;
    const profile = parsePlist(await read('fleetmedic-agent-fda.mobileconfig')) as unknown as Profile;
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadScope: 'System' });
    expect(profile.PayloadContent).toHaveLength(1);
    const pppc = profile.PayloadContent[0]!;
    expect(pppc.PayloadType).toBe('com.apple.TCC.configuration-profile-policy');
    expect(Object.keys(pppc.Services)).toEqual(['SystemPolicyAllFiles']);
    expect(pppc.Services.SystemPolicyAllFiles).toEqual([expect.objectContaining({
      Identifier: daemon.EnvironmentVariables.FLEETMEDIC_NODE,
      IdentifierType: 'path',
      StaticCode: false,
      Authorization: 'Allow',
    })]);
    // A template: what only the admin's Mac and MDM can supply is left as a visible placeholder.
    expect(pppc.Services.SystemPolicyAllFiles![0]!.CodeRequirement).toMatch(/^REPLACE_/);
    expect([profile.PayloadUUID, pppc.PayloadUUID].every((u) => u.startsWith('REPLACE_'))).toBe(true);
    expect(profile.PayloadUUID).not.toBe(pppc.PayloadUUID);
  });

  it('log rotation names the LaunchDaemon\'s log, signals nothing and does not compress the file the agent may still write', async () => {
    const daemon = parsePlist(await read('com.fleetmedic.agent.plist')) as unknown as Daemon;
    const entries = (await read('fleetmedic-agent.newsyslog.conf')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(entries).toHaveLength(1);
    const [file, owner, mode, count, size, when, flags, ...rest] = entries[0]!.trim().split(/\s+/);
    expect({ file, owner, mode, count, size, when, flags, rest }).toEqual({
      file: daemon.StandardErrorPath, owner: 'root:wheel', mode: '644', count: '3', size: '1024', when: '*', flags: 'N', rest: [],
    });
  });
});
