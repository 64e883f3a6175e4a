// Issue 15, item 5: a socket that does not read got 7,618 commands buffered; 50,000 pending
// commands resent to 10 non-reading connections of one Mac took RSS 303 -> 612 MB. What one
// socket holds unsent is bounded in bytes.
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { TestAgent, enroll, eventually, useTestApp } from '../testing/harness.js';
import { MAX_SOCKET_BUFFERED_BYTES } from './connection.js';

const ctx = useTestApp();

describe('memory per socket is bounded in bytes', () => {
  it('a socket that does not read is dropped once it holds MAX_SOCKET_BUFFERED_BYTES unsent, never more', async () => {
    const { deviceId, deviceToken } = await enroll(ctx.app, { hostname: 'not-reading-mac' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    const conn = await eventually(async () => ctx.app.services.registry.get(deviceId));
    (agent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const socket = (conn as unknown as { socket: WebSocket }).socket;
    let sent = 0;
    let peak = 0;
    const big = 'x'.repeat(64 * 1024); // a command-sized message: 64 KiB
    while (sent < 1_000_000 && conn.send({ type: 'error', code: 'bad-message', message: `${sent} ${big}` })) {
      sent += 1;
      peak = Math.max(peak, socket.bufferedAmount);
    }
    expect(sent).toBeLessThan(1_000_000);
    expect(peak).toBeLessThanOrEqual(MAX_SOCKET_BUFFERED_BYTES);
    expect(conn.send({ type: 'ack', id: 'report-after-drop' })).toBe(false);
    console.info(`[socket-memory] ${sent} messages of 64 KiB sent before the drop; peak bufferedAmount ${peak} bytes`);
  });
});
