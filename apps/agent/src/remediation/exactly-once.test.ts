// Issue 15, item 1: a signed command never runs twice. The agent used to keep the newest 1,000
// command ids, refusals included, while a command lives 7 days: 1,000 newer commands, or 1,000
// replayed commands of another Mac, evicted an executed tcc.reset and its replay ran it again.
import { existsSync, readFileSync } from 'node:fs';
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

const DEVICE = 'device-1234';
const SERVER = testSigner();
const RESET = { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } };
const COLLECT = { type: 'agent.collect', params: {} };
let seq = 0;
const command = (action: unknown, extra: Record<string, unknown> = {}) => SERVER.sign({
  id: `cmd-once-${++seq}`, deviceId: DEVICE, action, createdAt: '2026-03-01T11:59:00Z', expiresAt: '2026-03-08T11:59:00Z', ...extra,
});

async function agent(opts: { store?: (file: string) => Promise<ExecutedStore>; now?: () => Date; state?: string } = {}) {
  const state = opts.state ?? await mkdtemp(path.join(os.tmpdir(), 'exactly-once-'));
  const mac = makeTinyMac();
  const sent: AgentMessage[] = [];
  const file = path.join(state, 'executed.json');
  const make = async () => new RemediationExecutor({
    runner: await ReplayRunner.open(mac, { stateDir: path.join(state, 'replay') }),
    deviceId: () => DEVICE,
    pinnedKeys: () => pinnedKeysOf(SERVER.publicKey),
    store: await (opts.store ?? ((f) => ExecutedStore.open(f)))(file),
    send: (m) => sent.push(m),
    collectNow: async () => {},
    logger: pino({ level: 'silent' }),
    now: opts.now ?? (() => new Date('2026-03-01T12:00:00Z')),
  });
  const ran = () => {
    const log = path.join(state, 'replay', 'replay-log.jsonl');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0;
  };
  const resultOf = (id: string): CommandResult => {
    const m = sent.filter((x) => x.type === 'command.result' && x.id === id).at(-1);
    if (m?.type !== 'command.result') throw new Error(`no result for ${id}`);
    return m.result;
  };
  return { state, file, sent, make, ran, resultOf };
}

describe('exactly once: every executed command id is remembered until its command expires', () => {
  it('1,000 newer commands do not make a replayed tcc.reset run again', async () => {
    const a = await agent();
    const ex = await a.make();
    const reset = command(RESET);
    await ex.handle(reset);
    expect(a.resultOf(reset.id).status).toBe('succeeded');
    const ranOnce = a.ran();
    for (let i = 0; i < 1000; i++) await ex.handle(command(COLLECT));
    await ex.handle(reset);
    expect(a.ran()).toBe(ranOnce);
    // and after a restart, from executed.json
    await (await a.make()).handle(reset);
    expect(a.ran()).toBe(ranOnce);
    expect(a.resultOf(reset.id).status).toBe('succeeded');
  }, 60_000);

  it("1,000 replayed commands of another Mac do not evict an execution", async () => {
    const a = await agent();
    const ex = await a.make();
    const reset = command(RESET);
    await ex.handle(reset);
    const ranOnce = a.ran();
    for (let i = 0; i < 1000; i++) await ex.handle(command(RESET, { deviceId: 'device-other' }));
    await ex.handle(reset);
    expect(a.ran()).toBe(ranOnce);
    expect(a.resultOf(reset.id).status).toBe('succeeded');
  }, 60_000);

  it('past its cap the store refuses anything not newer than what it forgot, so an evicted id never runs', async () => {
    const a = await agent({ store: (f) => ExecutedStore.open(f, { maxExecuted: 3 }) });
    const ex = await a.make();
    const old = command(RESET, { expiresAt: '2026-03-02T00:00:00Z' });
    await ex.handle(old);
    for (let i = 0; i < 3; i++) await ex.handle(command(COLLECT, { expiresAt: '2026-03-05T00:00:00Z' }));
    const ranOnce = a.ran();
    const restarted = await a.make();
    await restarted.handle(old);
    expect(a.ran()).toBe(ranOnce);
    expect(a.resultOf(old.id)).toMatchObject({ status: 'failed', argv: [] });
    expect(a.resultOf(old.id).reason).toMatch(/^refused: this agent no longer remembers commands expiring at or before 2026-03-02T00:00:00.000Z/);
    // A command newer than everything forgotten still runs.
    const fresh = command(RESET, { expiresAt: '2026-03-06T00:00:00Z' });
    await restarted.handle(fresh);
    expect(a.resultOf(fresh.id).status).toBe('succeeded');
  });

  it('forgets an id only once its command has expired (the replay is then refused as expired)', async () => {
    let now = new Date('2026-03-01T12:00:00Z');
    const a = await agent({ now: () => now });
    const ex = await a.make();
    const reset = command(RESET, { expiresAt: '2026-03-01T13:00:00Z' });
    await ex.handle(reset);
    now = new Date('2026-03-03T12:00:00Z');
    await ex.handle(command(COLLECT, { expiresAt: '2026-03-09T00:00:00Z' }));
    const saved = JSON.parse(readFileSync(a.file, 'utf8')) as { executed: Record<string, unknown> };
    expect(Object.keys(saved.executed)).not.toContain(reset.id);
    const ranOnce = a.ran();
    await ex.handle(reset);
    expect(a.ran()).toBe(ranOnce);
    expect(a.resultOf(reset.id).reason).toBe('refused: command expired at 2026-03-01T13:00:00Z');
  });

  it('reads the executed.json of earlier agents (id -> entry) and keeps its executions', async () => {
    const a = await agent();
    const reset = command(RESET);
    await (await a.make()).handle(reset);
    const ranOnce = a.ran();
    const saved = JSON.parse(readFileSync(a.file, 'utf8')) as { executed: Record<string, { expiresAt: string }> };
    const legacy = Object.fromEntries(Object.entries(saved.executed).map(([id, e]) => [id, { ...e, expiresAt: undefined }]));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(a.file, JSON.stringify(legacy));
    await (await a.make()).handle(reset);
    expect(a.ran()).toBe(ranOnce);
  });
});
