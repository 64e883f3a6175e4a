// Every acked command gets a result, even when the agent's own state cannot be written. Found by
// the fleet simulator: 10,000 Macs in one process ran out of open files writing executed.json, and
// each such command stayed "acknowledged" on the server with no result, silently.
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentMessage, CommandResult } from '@fleetmedic/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ReplayRunner } from '../runner/replay.js';
import { testSigner } from '../testing/command-signer.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { ExecutedStore } from './executed-store.js';
import { RemediationExecutor } from './executor.js';
import { pinnedKeysOf } from './signature.js';

const DEVICE = 'device-5678';
const SERVER = testSigner();
let seq = 0;
const command = (action: unknown) => SERVER.sign({
  id: `cmd-failures-${++seq}-${Date.now()}`, deviceId: DEVICE, action,
  createdAt: new Date(Date.now() - 60_000).toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});

async function executor(opts: { store: ExecutedStore; replayState?: string }) {
  const sent: AgentMessage[] = [];
  const runner = await ReplayRunner.open(makeTinyMac(), { stateDir: opts.replayState });
  const exec = new RemediationExecutor({
    runner, deviceId: () => DEVICE, pinnedKeys: () => pinnedKeysOf(SERVER.publicKey), store: opts.store,
    send: (m) => sent.push(m), collectNow: async () => {}, logger: pino({ level: 'silent' }),
  });
  const results = (id: string) => sent.flatMap((m) => (m.type === 'command.result' && m.id === id ? [m.result as CommandResult] : []));
  return { exec, sent, results };
}

describe('RemediationExecutor when its own state cannot be written', () => {
  it('answers a command it could not record in executed.json with a failed result, without running it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'executor-gone-'));
    const store = await ExecutedStore.open(path.join(dir, 'state', 'executed.json'));
    rmSync(path.join(dir, 'state'), { recursive: true }); // every write now fails (ENOENT), as with EMFILE or a full disk
    const { exec, sent, results } = await executor({ store });
    const cmd = command({ type: 'zoom.quit', params: {} });
    await exec.handle(cmd);
    expect(sent.map((m) => m.type)).toEqual(['command.ack', 'command.result']);
    const [result] = results(cmd.id);
    expect(result).toMatchObject({ status: 'failed', argv: [] });
    expect(result!.reason).toMatch(/^not run: the agent could not record it in executed\.json first \(.*ENOENT/);

    // Redelivered: the same answer, from memory (neither run nor "stopped while running").
    await exec.handle(cmd);
    expect(results(cmd.id)).toEqual([result, result]);
  });

  it('answers a command whose run throws with a failed result naming the error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'executor-throws-'));
    // The replay's state folder is a plain file: the replay runner throws (ENOTDIR) on the first write.
    const notADir = path.join(dir, 'replay-state');
    writeFileSync(notADir, 'not a folder');
    const { exec, results } = await executor({ store: await ExecutedStore.open(path.join(dir, 'executed.json')), replayState: notADir });
    const cmd = command({ type: 'zoom.quit', params: {} });
    await exec.handle(cmd);
    const [result] = results(cmd.id);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.reason).toMatch(/^failed while running: .*(ENOTDIR|EEXIST)/);
  });
});
