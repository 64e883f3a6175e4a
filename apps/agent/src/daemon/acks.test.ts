// Issue 15, item 4: after a partition the agent got 4 acks at once; two saves of
// acked-sections.json raced on one .tmp path (ENOENT on rename) and the reports whose save
// failed stayed in the outbox, resent at every reconnect.
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SECTION_NAMES } from '@fleetmedic/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAckedSections } from '../outbox/acked.js';
import { ReplayRunner } from '../runner/replay.js';
import { startServer, waitFor } from '../testing/agent-server.js';
import { makeTinyMac } from '../testing/tiny-mac.js';
import { AgentDaemon } from './daemon.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const HASHES = (c: string) => Object.fromEntries(SECTION_NAMES.map((n) => [n, c.repeat(64)]));

async function agentWithFourUnacked(stateDir: string) {
  const srv = await startServer();
  cleanups.push(srv.close);
  srv.state.ackReports = false;
  const daemon = await AgentDaemon.start({
    serverUrl: srv.url, enrollSecret: 'secret-12345', stateDir, logger: pino({ level: 'silent' }),
    runner: await ReplayRunner.open(makeTinyMac(), { stateDir: path.join(stateDir, 'replay') }),
    schedule: null, jitterSeconds: 0, minBackoffMs: 50, maxBackoffMs: 200,
  });
  cleanups.push(() => daemon.stop());
  for (let i = 0; i < 3; i++) await daemon.collectNow('test');
  const ids = await waitFor('4 reports sent', async () => ((await daemon.outbox.ids()).length === 4 ? daemon.outbox.ids() : null));
  await waitFor('4 reports received', () => srv.state.received.filter((m) => m.type === 'report').length === 4);
  return { srv, daemon, ids };
}

describe('acks never race', () => {
  it('four saves of acked-sections.json at once all land, the last one last', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'acked-'));
    const store = new FileAckedSections(dir);
    const values = ['a', 'b', 'c', 'd'].map((c, i) => ({ reportId: `report-${i}`, collectedAt: `2026-03-01T12:00:0${i}Z`, hashes: HASHES(c) }));
    const settled = await Promise.allSettled(values.map((v) => store.save(v as never)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(JSON.parse(await readFile(store.file, 'utf8'))).toEqual(values[3]);
  });

  it('four acks at once empty the outbox', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-acks-'));
    const { srv, daemon, ids } = await agentWithFourUnacked(stateDir);
    for (const id of ids) srv.send({ type: 'ack', id });
    await waitFor('the outbox to empty', async () => (await daemon.outbox.ids()).length === 0);
    // The saves land one at a time, the last one last (the outbox may empty first).
    await waitFor('the newest acked base on disk', async () => (await new FileAckedSections(stateDir).load())?.reportId === ids[3]);
  });

  it('an acked report leaves the outbox even when the acked base cannot be saved', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-acks-'));
    const { srv, daemon, ids } = await agentWithFourUnacked(stateDir);
    mkdirSync(path.join(stateDir, 'acked-sections.json')); // a directory: every rename onto it fails
    for (const id of ids) srv.send({ type: 'ack', id });
    await waitFor('the outbox to empty', async () => (await daemon.outbox.ids()).length === 0);
  });
});
