// Issue 15, item 8: after the key row was replaced (a backup restored), the command pool's client
// loaded the new row and signed with it while enrollment still announced the key it had cached:
// every command refused by every agent until a restart. One key source for the whole server.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { commandSigningPayload, type ServerMessage } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;

describe('one signing key across the server', () => {
  it('a command is signed with the key enrollment announced, even after the stored key row was replaced', async () => {
    const { deviceId, deviceToken, serverPublicKey } = await enroll(ctx.app, { hostname: 'one-key-mac' });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await ctx.db.prisma.serverSigningKey.update({
      where: { id: 'primary' },
      data: { publicKey: publicKey.export({ format: 'jwk' }).x!, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() },
    });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId));
    const created = await ctx.app.inject({
      method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(ctx.operator), payload: { action: { type: 'agent.collect', params: {} } },
    });
    expect(created.statusCode).toBe(201);
    const { command } = await agent.next<CommandMessage>((m) => m.type === 'command');
    const pinned = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: serverPublicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from(commandSigningPayload(command), 'utf8'), pinned, Buffer.from(command.signature!, 'base64url'))).toBe(true);
    // and the next Mac to enroll is told the same key
    expect((await enroll(ctx.app, { hostname: 'one-key-mac-2' })).serverPublicKey).toBe(serverPublicKey);
  });
});
