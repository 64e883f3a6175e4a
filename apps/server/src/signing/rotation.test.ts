import { createPublicKey, verify } from 'node:crypto';
import { keyAnnouncementPayload, keyRetirementPayload, type ServerMessage } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import { describe, expect, it } from 'vitest';
import { TestAgent, buildTestApp, enroll, eventually, useTestApp } from '../testing/harness.js';
import { TEST_KEY_ENCRYPTION_KEY } from '../testing/test-kek.js';
import { ACTIVATE_AFTER_SECONDS, NO_NOTICE_REASON, activateSigningKey, listSigningKeys, retireSigningKey, rewrapSigningKeys, rotateSigningKey } from './rotation.js';
import { loadSigningKeyring } from './signing-key.js';

const ctx = useTestApp();
const KEK = TEST_KEY_ENCRYPTION_KEY;
const COLLECT = { type: 'agent.collect', params: {} } as const;
const later = () => new Date(Date.now() + (ACTIVATE_AFTER_SECONDS + 1) * 1000);

type KeysMessage = Extract<ServerMessage, { type: 'keys' }>;

describe('rotating the signing key: rotate, activate, retire', () => {
  it('announces the next key under the active one, to connected agents and at connect before commands; instances agree on the active key after their re-read', async () => {
    const other = await buildTestApp(ctx.db); // a second server instance on the same database
    try {
      const mac = await enroll(ctx.app, { hostname: 'rotating-mac' });
      const quiet = await enroll(ctx.app, { hostname: 'offline-mac' });
      const first = keyIdOf(mac.serverPublicKey!);
      const agent = await TestAgent.connect(ctx.url, mac.deviceToken);
      ctx.agents.push(agent);
      await eventually(async () => ctx.app.services.registry.get(mac.deviceId));
      const queuedUnderFirst = await ctx.app.services.commands.create(quiet.deviceId, COLLECT, 'test');

      const next = await rotateSigningKey(ctx.db.prisma, KEK, 'test');
      await expect(rotateSigningKey(ctx.db.prisma, KEK, 'test')).rejects.toThrow(`key ${next.keyId} is already announced as the next key`);
      await ctx.app.services.keys.refresh();
      const { keys } = await agent.next<KeysMessage>((m) => m.type === 'keys');
      expect(keys).toEqual([{ keyId: next.keyId, publicKey: next.publicKey, signedBy: first, signature: expect.any(String) }]);
      const signer = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: mac.serverPublicKey! }, format: 'jwk' });
      expect(verify(null, Buffer.from(keyAnnouncementPayload(next), 'utf8'), signer, Buffer.from(keys[0]!.signature, 'base64url'))).toBe(true);
      // Announced is not active: new commands are still signed with the first key.
      expect((await ctx.app.services.commands.create(mac.deviceId, COLLECT, 'test')).keyId).toBe(first);

      await expect(activateSigningKey(ctx.db.prisma, KEK, 'test')).rejects.toThrow(`was announced less than ${ACTIVATE_AFTER_SECONDS} s ago`);
      expect(await activateSigningKey(ctx.db.prisma, KEK, 'test', later())).toEqual({ activated: next.keyId, previous: first });
      await Promise.all([ctx.app.services.keys.refresh(), other.services.keys.refresh()]);
      for (const app of [ctx.app, other]) {
        expect((await app.services.commands.create(mac.deviceId, COLLECT, 'test')).keyId).toBe(next.keyId);
        expect((await enroll(app, { hostname: 'new-mac' })).serverPublicKey).toBe(next.publicKey);
      }

      // A Mac connecting now gets the announcement first, then its commands (the one signed before
      // the rotation included: the previous key still counts until retired).
      const late = await TestAgent.connect(ctx.url, quiet.deviceToken);
      ctx.agents.push(late);
      await late.next((m) => m.type === 'command' && m.command.id === queuedUnderFirst.id);
      expect(late.received.length).toBeGreaterThan(0);
      expect(late.received[0]).toMatchObject({ type: 'keys', keys: [{ keyId: next.keyId }] });
    } finally {
      await other.close();
    }
  });

  it('retire deletes a previous key\'s private half and fails its queued commands; the active key cannot be retired', async () => {
    const mac = await enroll(ctx.app, { hostname: 'retire-mac' });
    const watching = await enroll(ctx.app, { hostname: 'watching-mac' });
    const connected = await TestAgent.connect(ctx.url, watching.deviceToken);
    ctx.agents.push(connected);
    await eventually(async () => ctx.app.services.registry.get(watching.deviceId));
    expect((await connected.next<KeysMessage>((m) => m.type === 'keys')).retired).toBeUndefined(); // at connect: announcements only
    const all = await listSigningKeys(ctx.db.prisma);
    const activeKey = all.find((k) => k.state === 'active')!.keyId;
    const previousKey = all.find((k) => k.state === 'previous')!.keyId;
    await expect(retireSigningKey(ctx.db.prisma, KEK, activeKey, 'test')).rejects.toThrow('is the active key');
    // A command signed by the previous key, queued for an offline Mac (as before an activation).
    const queued = await ctx.app.services.commands.create(mac.deviceId, COLLECT, 'test');
    await ctx.db.prisma.command.update({ where: { id: queued.id }, data: { keyId: previousKey } });
    const queuedUnderPrevious = await ctx.db.prisma.command.count({ where: { keyId: previousKey, status: 'queued' } });

    const retiredAt = new Date('2026-12-07T13:00:00.123Z');
    const retirement = await retireSigningKey(ctx.db.prisma, KEK, previousKey, 'test', retiredAt);
    const { failedCommands } = retirement;
    const notice = retirement.notice!;
    expect(failedCommands).toBe(queuedUnderPrevious);
    // The notice: the active key's signature of the retirement payload, stored on the row.
    const activePublic = all.find((k) => k.state === 'active')!.publicKey;
    expect(notice).toEqual({ keyId: previousKey, retiredAt: retiredAt.toISOString(), signedBy: activeKey, signature: expect.any(String) });
    const signer = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: activePublic }, format: 'jwk' });
    expect(verify(null, Buffer.from(keyRetirementPayload(notice), 'utf8'), signer, Buffer.from(notice.signature, 'base64url'))).toBe(true);
    expect(await ctx.db.prisma.command.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({
      status: 'failed', reason: `not sent: its signing key ${previousKey} was retired before it was delivered; queue it again`,
    });
    const row = (await ctx.db.prisma.serverSigningKey.findMany()).find((r) => keyIdOf(r.publicKey) === previousKey)!;
    expect(row).toMatchObject({ state: 'retired', privateKey: null, retiredAt, retiredBy: activeKey, retirement: notice.signature });
    await expect(retireSigningKey(ctx.db.prisma, KEK, previousKey, 'test')).rejects.toThrow('is retired already');
    expect(await ctx.db.prisma.auditLog.findMany({ where: { action: { startsWith: 'signing-key.' } }, select: { action: true, actor: true }, orderBy: { id: 'asc' } })).toEqual([
      { action: 'signing-key.rotate', actor: 'test' }, { action: 'signing-key.activate', actor: 'test' }, { action: 'signing-key.retire', actor: 'test' },
    ]);
    // After a re-read, connected agents get the notice, and a connecting one gets it before any command.
    await ctx.app.services.keys.refresh();
    const pushed = await connected.next<KeysMessage>((m) => m.type === 'keys');
    expect(pushed.retired).toEqual([notice]);
    const late = await TestAgent.connect(ctx.url, mac.deviceToken);
    ctx.agents.push(late);
    const atConnect = (await eventually(async () => late.received[0])) as KeysMessage;
    expect(atConnect).toMatchObject({ type: 'keys', retired: [notice] });
    // The retired key's announcement is no longer sent (only live keys are announced).
    expect(atConnect.keys.map((k) => k.keyId)).not.toContain(previousKey);
    // The retired key no longer counts at delivery either.
    const keyring = await ctx.app.services.keys.get();
    expect(await keyring.refusals([{
      envelope: { id: queued.id, deviceId: mac.deviceId, action: COLLECT, createdAt: queued.createdAt.toISOString(), expiresAt: queued.expiresAt.toISOString() }, signature: queued.signature, keyId: previousKey,
    }])).toEqual([`not sent: the command was signed by key ${previousKey}, which is retired or unknown; queue it again`]);
  });

  it('a never-activated next key gets no retirement notice (its voucher is the active key: agents could not tell one from an old key retiring a newer one)', async () => {
    const watching = await enroll(ctx.app, { hostname: 'next-retire-mac' });
    const connected = await TestAgent.connect(ctx.url, watching.deviceToken);
    ctx.agents.push(connected);
    await eventually(async () => ctx.app.services.registry.get(watching.deviceId));
    const before = await connected.next<KeysMessage>((m) => m.type === 'keys');
    const next = await rotateSigningKey(ctx.db.prisma, KEK, 'test');
    const out = await retireSigningKey(ctx.db.prisma, KEK, next.keyId, 'test');
    expect(out).toEqual({ failedCommands: 0, notice: null, noNotice: NO_NOTICE_REASON });
    const row = (await ctx.db.prisma.serverSigningKey.findMany()).find((r) => keyIdOf(r.publicKey) === next.keyId)!;
    expect(row).toMatchObject({ state: 'retired', privateKey: null, retiredBy: null, retirement: null });
    const audited = await ctx.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'signing-key.retire', target: `signing-key:${next.keyId}` } });
    expect(audited.params).toEqual({ failedCommands: 0, signedBy: null, noNotice: NO_NOTICE_REASON });
    // Agents get the same notices as before (none for it), and no announcement of it any more.
    await ctx.app.services.keys.refresh();
    const { keysMessage } = await ctx.app.services.keys.get();
    expect(keysMessage?.retired).toEqual(before.retired);
    expect(keysMessage?.keys.map((k) => k.keyId)).not.toContain(next.keyId);
  });

  it('a key retired before servers signed notices gets its notice from retire, dated when it was retired; one that can get none stays "retired already"', async () => {
    const rows = await ctx.db.prisma.serverSigningKey.findMany({ where: { state: 'retired' } });
    const withNotice = rows.find((r) => r.retirement)!;
    const keyId = keyIdOf(withNotice.publicKey);
    // As a retirement made before this release left it: no notice on the row.
    await ctx.db.prisma.serverSigningKey.update({ where: { id: withNotice.id }, data: { retiredBy: null, retirement: null } });
    const out = await retireSigningKey(ctx.db.prisma, KEK, keyId, 'test');
    expect(out).toEqual({ failedCommands: 0, notice: { keyId, retiredAt: withNotice.retiredAt!.toISOString(), signedBy: withNotice.retiredBy, signature: withNotice.retirement }, noticeOnly: true });
    expect(await ctx.db.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: withNotice.id } })).toMatchObject({ retiredBy: withNotice.retiredBy, retirement: withNotice.retirement });
    const audited = await ctx.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'signing-key.retire', target: `signing-key:${keyId}` }, orderBy: { id: 'desc' } });
    expect(audited.params).toEqual({ failedCommands: 0, signedBy: withNotice.retiredBy, noticeOnly: true });
    await expect(retireSigningKey(ctx.db.prisma, KEK, keyId, 'test')).rejects.toThrow(`key ${keyId} is retired already`);
    const never = rows.find((r) => !r.retirement)!;
    await expect(retireSigningKey(ctx.db.prisma, KEK, keyIdOf(never.publicKey), 'test')).rejects.toThrow(`is retired already (${NO_NOTICE_REASON})`);
  });

  it('rewrap seals every key under a new key-encryption key; the old one no longer opens them', async () => {
    const NEW_KEK = Buffer.alloc(32, 0x5e);
    const before = await loadSigningKeyring(ctx.db.prisma, KEK);
    await expect(rewrapSigningKeys(ctx.db.prisma, NEW_KEK, KEK, 'test')).rejects.toThrow(/sealed under key-encryption key/);
    expect(await rewrapSigningKeys(ctx.db.prisma, KEK, NEW_KEK, 'test')).toBe(1); // the active key: the retired one has no private half left
    expect((await loadSigningKeyring(ctx.db.prisma, NEW_KEK)).active.publicKey).toBe(before.active.publicKey);
    await expect(loadSigningKeyring(ctx.db.prisma, KEK)).rejects.toThrow(/cannot decrypt its private key/);
    await rewrapSigningKeys(ctx.db.prisma, NEW_KEK, KEK, 'test'); // back, for the app of this file
  });
});
