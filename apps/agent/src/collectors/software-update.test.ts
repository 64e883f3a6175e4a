import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contentHash } from '@fleetmedic/protocol/hash';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@fleetmedic/macos/testing';
import { COMMANDS } from '../runner/commands.js';
import { ReplayRunner } from '../runner/replay.js';
import type { CommandRunner } from '../runner/types.js';
import { collectDevices } from './devices.js';
import { FileSoftwareUpdateCache, SOFTWARE_UPDATE_CACHE_FILE } from './software-update-cache.js';
import { collectSoftwareUpdate } from './software-update.js';

const mac = (name: string) => path.join(REPO_ROOT, 'recorded-macs', name);
/** The recorded Mac's runner, counting the `softwareupdate --list` runs it answers. */
async function counted(name: string): Promise<{ runner: CommandRunner; runs: () => number }> {
  const real = await ReplayRunner.open(mac(name));
  let n = 0;
  const runner = Object.create(real, {
    run: { value: (program: string, args: string[], opts?: Parameters<CommandRunner['run']>[2]) => {
      if (program === COMMANDS.softwareUpdateList.program) n++;
      return real.run(program, args, opts);
    } },
  }) as CommandRunner;
  return { runner, runs: () => n };
}
const T0 = new Date('2026-12-06T09:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

describe('softwareUpdate: softwareupdate --list at most once a day', () => {
  it('runs it once, serves the kept list for a day unchanged, then runs it again', async () => {
    const { runner, runs } = await counted('mbp-m2pro-26-firewall-blocks-zoom');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fm-su-'));
    const cache = new FileSoftwareUpdateCache(dir);
    const first = await collectSoftwareUpdate(runner, cache, T0);
    expect(first).toMatchObject({ status: 'ok', data: { checkedAt: T0.toISOString(), lastBootAt: '2026-06-02T21:29:04.167Z' } });
    expect(first.data!.updates!.map((u) => [u.label, u.recommended, u.restartRequired])).toEqual([
      ['Safari27.0TahoeAuto-27.0', true, false], ['SFSymbolsAuto-27.0', true, false], ['macOS Tahoe 26.7-25G229', true, true], ['macOS 27-26A428', true, true],
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, SOFTWARE_UPDATE_CACHE_FILE), 'utf8')).checkedAt).toBe(T0.toISOString());
    const later = await collectSoftwareUpdate(runner, cache, hours(23));
    // The same section, byte for byte, until the list is read again: an unchanged Mac's report takes
    // the fast path. (It carried the list's age before, which changed the section at every report.)
    expect(later.data).toEqual(first.data);
    expect(contentHash(later)).toBe(contentHash(first));
    expect(runs()).toBe(1);
    const nextDay = await collectSoftwareUpdate(runner, cache, hours(25));
    expect(nextDay.data).toMatchObject({ checkedAt: hours(25).toISOString() });
    expect(runs()).toBe(2);
  });

  it('runs it again when the kept file is not a list it wrote (never a crash, never "nothing pending")', async () => {
    const { runner, runs } = await counted('mbp-m5pro-26-healthy');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fm-su-'));
    writeFileSync(path.join(dir, SOFTWARE_UPDATE_CACHE_FILE), '{"checkedAt": 5');
    const s = await collectSoftwareUpdate(runner, new FileSoftwareUpdateCache(dir), T0);
    expect(s).toMatchObject({ status: 'ok', data: { updates: [], checkedAt: T0.toISOString() } });
    expect(runs()).toBe(1);
  });
});

describe('devices collector on the recorded Macs', () => {
  it('reads the JSON lists of the M5 Pro, with its default input', async () => {
    expect(await collectDevices(await ReplayRunner.open(mac('mbp-m5pro-26-healthy')))).toMatchObject({
      status: 'ok', data: { cameras: [{ name: 'MacBook Pro Camera' }], defaultInput: 'MacBook Pro Microphone' },
    });
  });
  it('reads a text-form audio list as text and says so (partial); [] cameras is "no camera"', async () => {
    const s = await collectDevices(await ReplayRunner.open(mac('macmini-m4-27-no-camera')));
    expect(s).toMatchObject({ status: 'partial', data: { cameras: [], audio: [{ name: 'Mac mini Speakers', inputChannels: null }], defaultInput: null } });
    expect(s.problems).toEqual(['system_profiler -json SPAudioDataType: printed the text form, not JSON: read as text']);
  });
  it('is unavailable, with the reason, where neither list was recorded', async () => {
    const s = await collectDevices(await ReplayRunner.open(mac('mbp-intel-t2-12-macos-outdated')));
    expect(s.status).toBe('unavailable');
    expect(s.reason).toMatch(/SPCameraDataType.*not recorded/);
  });
});
