// Adversarial probes of group-committed command replies (command.ack / command.result) on real
// sockets and a real database: replies for other devices' commands, unknown ids, duplicates, and
// results with text Postgres refuses. A bad reply must fail alone and never cost the other
// devices' results. Defect found here: a lone UTF-16 surrogate (a legal JSON escape such as
// "\udc00", or the server's own character tail cutting an emoji in half) made Postgres refuse the
// whole statement ("Unicode low surrogate must follow a high surrogate"): the result was answered
// `internal` forever, and every group commit holding one fell back to one statement per reply.
import { randomUUID } from 'node:crypto';
import { COMMAND_OUTPUT_TAIL_BYTES, type CommandResult, type ServerMessage } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, useTestApp } from '@fleetmedic/server/testing/harness';
import { buildSnapshot } from '@fleetmedic/server/testing/snapshots';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const COLLECT = { type: 'agent.collect', params: {} };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const result = (over: Partial<CommandResult> = {}): CommandResult => ({
  status: 'succeeded', exitCode: 0, stdout: 'collected\n', stderr: '', argv: [],
  startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:00.250Z', durationMs: 250, ...over,
});

/** A connected Mac (first report acked). */
async function mac(hostname: string) {
  const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
  const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
  const agent = await TestAgent.connect(ctx.url, deviceToken);
  ctx.agents.push(agent);
  const id = `report-${randomUUID()}`;
  agent.send({ type: 'report', id, snapshot: buildSnapshot({ hostname, serialNumber }) });
  await agent.next((m) => m.type === 'ack' && m.id === id);
  return { deviceId, agent, hostname };
}

/** Sends agent.collect to every Mac whose hostname contains `search`; returns each Mac's received command id. */
async function bulkCollect(search: string, macs: Array<Awaited<ReturnType<typeof mac>>>) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/batches', headers: bearer(ctx.operator), payload: { action: COLLECT, dryRun: false, filter: { search } } });
  expect(res.statusCode).toBe(201);
  const ids = await Promise.all(macs.map(async (m) => (await m.agent.next<CommandMessage>((x) => x.type === 'command')).command.id));
  return { batchId: res.json().batchId as string, ids };
}

/** Sends a raw JSON text (escapes kept as written) and returns the server's answer to `id`. */
async function sendRaw(agent: TestAgent, id: string, text: string) {
  agent.send(text);
  return agent.next((m) => (m.type === 'ack' || m.type === 'error') && (m as { id?: string }).id === id, 30_000);
}

describe('command replies: a bad reply fails alone', () => {
  it('a result holding a lone surrogate (JSON escape \\udc00) is stored with U+FFFD, not refused forever', async () => {
    const m = await mac('rep-lone-a');
    const { ids: [id] } = await bulkCollect('rep-lone-', [m]);
    const text = JSON.stringify({ type: 'command.result', id, result: result({ stdout: 'PLACEHOLDER', reason: 'R' }) })
      .replace('PLACEHOLDER', 'before \\udc00 after \\ud83d').replace('"R"', '"bad \\ud800"');
    expect(await sendRaw(m.agent, id!, text)).toEqual({ type: 'ack', id });
    const row = await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: id! } });
    expect(row).toMatchObject({ status: 'succeeded', stdout: 'before \uFFFD after \uFFFD', reason: 'bad \uFFFD' });
  });

  it('an emoji cut in half by the server\'s output tail does not make the result unstorable', async () => {
    const m = await mac('rep-tail-a');
    const { ids: [id] } = await bulkCollect('rep-tail-', [m]);
    // COMMAND_OUTPUT_TAIL_BYTES + 4 UTF-16 units: "x", emoji pairs, "\n"; the last COMMAND_OUTPUT_TAIL_BYTES units start with a low surrogate.
    const stdout = `x${'😀'.repeat(COMMAND_OUTPUT_TAIL_BYTES / 2 + 1)}\n`;
    expect(stdout.length).toBe(COMMAND_OUTPUT_TAIL_BYTES + 4);
    expect(LONE_SURROGATE.test(stdout.slice(stdout.length - COMMAND_OUTPUT_TAIL_BYTES))).toBe(true);
    m.agent.send({ type: 'command.result', id, result: result({ stdout }) });
    expect(await m.agent.next((x) => (x.type === 'ack' || x.type === 'error') && (x as { id?: string }).id === id, 30_000)).toEqual({ type: 'ack', id });
    const row = await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: id! } });
    expect(row.status).toBe('succeeded');
    expect(row.stdout!.length).toBeLessThanOrEqual(COMMAND_OUTPUT_TAIL_BYTES);
    expect(row.stdout!.endsWith('😀😀\n')).toBe(true);
    expect(LONE_SURROGATE.test(row.stdout!)).toBe(false);
  });

  it('20 Macs answer at once, some with hostile replies (other devices\' ids, unknown ids, lone surrogates, duplicates): every good result is stored', async () => {
    const macs = [];
    for (let i = 0; i < 20; i++) macs.push(await mac(`rep-many-${i.toString().padStart(2, '0')}`));
    const { batchId, ids } = await bulkCollect('rep-many-', macs);
    const answers = macs.map((m, i) => {
      const id = ids[i]!;
      const answer = sendRaw(m.agent, id, JSON.stringify({ type: 'command.result', id, result: result({ stdout: `mac ${i}\n` }) }));
      if (i % 4 === 0) {
        // hostile extras on the same socket, in the same flush window
        m.agent.send({ type: 'command.ack', id: ids[(i + 1) % ids.length] }); // another device's command
        m.agent.send({ type: 'command.result', id: ids[(i + 1) % ids.length], result: result({ status: 'failed', stdout: 'not yours' }) });
        m.agent.send({ type: 'command.result', id: `unknown-${randomUUID()}`, result: result() });
        m.agent.send(JSON.stringify({ type: 'command.result', id: `lone-${randomUUID()}`, result: result({ stdout: 'S' }) }).replace('"S"', '"\\udfff"'));
      }
      return answer;
    });
    expect(await Promise.all(answers)).toEqual(ids.map((id) => ({ type: 'ack', id })));
    const rows = await ctx.db.prisma.command.findMany({ where: { batchId }, include: { device: { select: { hostname: true } } } });
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const i = Number(row.device.hostname.slice(-2));
      expect(row).toMatchObject({ status: 'succeeded', stdout: `mac ${i}\n` });
    }
    // Duplicates: sent again, acked again, nothing changes.
    const again = await sendRaw(macs[3]!.agent, ids[3]!, JSON.stringify({ type: 'command.result', id: ids[3], result: result({ status: 'failed', stdout: 'changed' }) }));
    expect(again).toEqual({ type: 'ack', id: ids[3] });
    expect(await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: ids[3]! } })).toMatchObject({ status: 'succeeded', stdout: 'mac 3\n' });
  });
});
