// Issue 15, item 6: 20 parallel re-enrollments with the same current device token gave 5 devices
// (4 ghosts with the same serial) and 15 dead tokens; an agent whose answer was lost and which
// retried with its old token made a ghost. One device, one working token, the retry answered
// idempotently.
import { describe, expect, it } from 'vitest';
import { enroll, upgradeStatus, useTestApp } from '../testing/harness.js';

const ctx = useTestApp();

describe('re-enrollment is atomic and idempotent', () => {
  it('20 parallel re-enrollments with the same token: one device, one token that works, the old one refused', async () => {
    const first = await enroll(ctx.app, { hostname: 'reenroll-mac', serialNumber: 'C02REENROLL1' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => enroll(ctx.app, { hostname: 'reenroll-mac', serialNumber: 'C02REENROLL1', deviceToken: first.deviceToken })));
    expect(new Set(answers.map((a) => a.deviceId))).toEqual(new Set([first.deviceId]));
    expect(new Set(answers.map((a) => a.deviceToken)).size).toBe(1);
    expect(await ctx.db.prisma.device.count({ where: { serialNumber: 'C02REENROLL1' } })).toBe(1);
    const url = ctx.url;
    expect((await upgradeStatus(url, { authorization: `Bearer ${answers[0]!.deviceToken}` })).status).toBe(101);
    expect((await upgradeStatus(url, { authorization: `Bearer ${first.deviceToken}` })).status).toBe(401);
  });

  it('a retry with the old token after a lost answer gets the same device and token, until the new token is used', async () => {
    const first = await enroll(ctx.app, { hostname: 'lost-answer-mac', serialNumber: 'C02REENROLL2' });
    const lost = await enroll(ctx.app, { hostname: 'lost-answer-mac', serialNumber: 'C02REENROLL2', deviceToken: first.deviceToken });
    const retry = await enroll(ctx.app, { hostname: 'lost-answer-mac', serialNumber: 'C02REENROLL2', deviceToken: first.deviceToken });
    expect(retry).toMatchObject({ deviceId: first.deviceId, deviceToken: lost.deviceToken });
    expect(await ctx.db.prisma.device.count({ where: { serialNumber: 'C02REENROLL2' } })).toBe(1);
    // Once the new token opened a socket the old one proves nothing any more.
    expect((await upgradeStatus(ctx.url, { authorization: `Bearer ${lost.deviceToken}` })).status).toBe(101);
    const late = await enroll(ctx.app, { hostname: 'lost-answer-mac', serialNumber: 'C02REENROLL2', deviceToken: first.deviceToken });
    expect(late.deviceId).not.toBe(first.deviceId);
  });
});
