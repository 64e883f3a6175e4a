// Issue 15, item 8: after the key row was replaced (a backup restored), the command pool's client
// loaded the new row and signed with it while enrollment still announced the key it had cached:
// every command refused by every agent until a restart. One key source for the whole server: the
// key enrollment announces is the key new commands are signed with, before and after a re-read.
import { createPublicKey, verify } from 'node:crypto';
import { commandSigningPayload, type ServerMessage } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import { describe, expect, it } from 'vitest';
import { TestAgent, bearer, enroll, eventually, useTestApp } from '../testing/harness.js';
import { newKeyPair } from './signing-key.js';

const ctx = useTestApp();

type CommandMessage = Extract<ServerMessage, { type: 'command' }>;

describe('one signing key across the server', () => {
  it('commands are signed with the key enrollment announces, before and after the stored key row is replaced and re-read', async () => {
    const { deviceId, deviceToken, serverPublicKey } = await enroll(ctx.app, { hostname: 'one-key-mac' });
    const agent = await TestAgent.connect(ctx.url, deviceToken);
    ctx.agents.push(agent);
    await eventually(async () => ctx.app.services.registry.get(deviceId));
    const signedWith = async () => {
      const created = await ctx.app.inject({
        method: 'POST', url: `/api/v1/devices/${deviceId}/commands`, headers: bearer(ctx.operator), payload: { action: { type: 'agent.collect', params: {} } },
      });
      expect(created.statusCode).toBe(201);
      const { command } = await agent.next<CommandMessage>((m) => m.type === 'command' && m.command.id === created.json().id);
      return command;
    };
    const ok = (command: CommandMessage['command'], publicKey: string) => verify(null, Buffer.from(commandSigningPayload(command), 'utf8'),
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }), Buffer.from(command.signature!, 'base64url'));

    const before = await signedWith();
    expect(before.keyId).toBe(keyIdOf(serverPublicKey!));
    expect(ok(before, serverPublicKey!)).toBe(true);

    const replaced = newKeyPair();
    await ctx.db.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: replaced });
    await ctx.app.services.keys.refresh();
    const after = await signedWith();
    const announced = (await enroll(ctx.app, { hostname: 'one-key-mac-2' })).serverPublicKey!;
    expect(announced).toBe(replaced.publicKey);
    expect(after.keyId).toBe(keyIdOf(announced));
    expect(ok(after, announced)).toBe(true);
  });
});
