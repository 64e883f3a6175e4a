// What one Fix costs the database: the statements a POST /devices/:id/commands runs, counted as
// connections checked out of the command pool (pg.Pool's `acquire`: one per statement outside a
// transaction). Each one waits for a pool connection, a turn of the event loop and a CPU on a busy
// server, so their number is the command's latency under load. Jobs off and the connect announced
// first: nothing else uses the command pool meanwhile (the test agent sends no ack).
import type { ServerMessage } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../cluster/registry.js';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';

const ctx = useTestApp({ jobs: false });
type CommandMessage = Extract<ServerMessage, { type: 'command' }>;
const COLLECT = { type: 'agent.collect', params: {} };

describe('a command\'s round trips to the database', () => {
  it('a command to a Mac connected here is one statement: the insert that stores it sent (the token and the policy are in memory)', async (t) => {
    t.skip(ctx.db.kind !== 'postgres', 'PGlite has no pool to count (set DATABASE_URL)');
    const pool = ctx.db.pools!.commands;
    const { deviceId, deviceToken } = await enroll(ctx.app);
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId));
    const post = () => ctx.app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(ctx.operator), payload: { action: COLLECT } });
    // The first use of the token reads it and stamps its lastUsedAt, and reads the policy once.
    expect((await post()).statusCode).toBe(201);
    await agent.next<CommandMessage>((m) => m.type === 'command');

    // The connect's announcement to other instances (a NOTIFY on this pool, up to 20 ms after it) goes now, not inside the count.
    await (ctx.app.services.registry as ClusterRegistry).announce();
    let statements = 0;
    const count = () => void (statements += 1);
    pool.on('acquire', count);
    const res = await post();
    pool.off('acquire', count);
    expect(res.statusCode).toBe(201);
    expect(res.json().status).toBe('sent');
    expect((await agent.next<CommandMessage>((m) => m.type === 'command')).command.id).toBe(res.json().id);
    // Was six: token, policy, insert, find queued, mark sent, read back; then two (the token).
    expect(statements).toBe(1);
  });
});
