// The remediation scope on the server: commands, bulk commands and remediations outside the
// policy's scope are refused (400 with the reason) or skipped, and only an admin widens it.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, enroll, useTestApp } from '../testing/harness.js';
import { buildSnapshot } from '../testing/snapshots.js';

const ctx = useTestApp();

const post = (url: string, payload: unknown, token = ctx.operator) =>
  ctx.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as Record<string, unknown> });
const putPolicy = (payload: unknown, token = TEST_ADMIN_TOKEN) =>
  ctx.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: bearer(token), payload: payload as Record<string, unknown> });

/** A connected Mac that reported Zoom's camera denied (a tcc.camera.denied finding with a tcc.reset Camera remedy). */
async function cameraDeniedMac(hostname: string) {
  const serialNumber = `C02${randomUUID().slice(0, 8).toUpperCase()}`;
  const { deviceId, deviceToken } = await enroll(ctx.app, { hostname, serialNumber });
  const agent = await TestAgent.connect(ctx.url, deviceToken);
  ctx.agents.push(agent);
  agent.send({ type: 'report', id: `report-${randomUUID()}`, snapshot: buildSnapshot({ hostname, serialNumber, zoomCamera: 'denied' }) });
  await agent.next((m) => m.type === 'ack');
  return deviceId;
}

describe('remediation scope on the server', () => {
  const refused: [string, unknown, string][] = [
    ['firewall.allow /bin/sh', { type: 'firewall.allow', params: { appPath: '/bin/sh' } }, 'refused parameter appPath "/bin/sh": firewall actions take an application bundle under /Applications/'],
    ['firewall.allow /usr/bin/nc', { type: 'firewall.allow', params: { appPath: '/usr/bin/nc' } }, 'refused parameter appPath "/usr/bin/nc"'],
    ['firewall.allow /usr/bin/python3', { type: 'firewall.allow', params: { appPath: '/usr/bin/python3' } }, 'refused parameter appPath "/usr/bin/python3"'],
    ['firewall.allow /tmp/evil', { type: 'firewall.allow', params: { appPath: '/tmp/evil' } }, 'refused parameter appPath "/tmp/evil"'],
    ['firewall.allow of a bundle in Downloads', { type: 'firewall.allow', params: { appPath: '/Users/alice/Downloads/Evil.app' } }, 'under /Applications/'],
    ['firewall.block of socketfilterfw', { type: 'firewall.block', params: { appPath: '/usr/libexec/ApplicationFirewall/socketfilterfw' } }, 'under /Applications/'],
    ['tcc.reset SystemPolicyAllFiles of the agent', { type: 'tcc.reset', params: { service: 'SystemPolicyAllFiles', bundleId: 'com.fleetmedic.agent' } },
      'refused parameter service "SystemPolicyAllFiles": tcc.reset may reset Camera, Microphone, ScreenCapture (an admin widens this in the policy)'],
    ['tcc.reset Camera of the agent', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'com.fleetmedic.agent' } }, 'the agent never resets its own permissions'],
    ['tcc.reset Camera of another app', { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'com.apple.Terminal' } }, 'tcc.reset may reset us.zoom.xos'],
    ['zoom.clear-caches of the user\'s documents', { type: 'zoom.clear-caches', params: { user: 'alice', paths: ['/Users/alice/Documents'] } },
      'refused parameter paths "/Users/alice/Documents": zoom.clear-caches removes only /Users/alice/Library/Caches/us.zoom.xos, /Users/alice/Library/Application Support/zoom.us, /Users/alice/Library/Logs/zoom.us'],
    ['zoom.clear-caches of another user\'s caches', { type: 'zoom.clear-caches', params: { user: 'alice', paths: ['/Users/bob/Library/Caches/us.zoom.xos'] } }, 'refused parameter paths "/Users/bob/Library/Caches/us.zoom.xos"'],
    ['zoom.clear-caches climbing out with ..', { type: 'zoom.clear-caches', params: { user: 'alice', paths: ['/Users/alice/Library/Caches/us.zoom.xos/../../..'] } }, 'refused parameter paths'],
    ['zoom.clear-caches for a user name with a slash', { type: 'zoom.clear-caches', params: { user: '../root', paths: ['/Users/../root/Library/Caches/us.zoom.xos'] } }, 'refused parameter user "../root"'],
  ];
  it.each(refused)('refuses %s as a command and a bulk command: 400 with the reason, nothing stored', async (_what, action, reason) => {
    const { deviceId } = await enroll(ctx.app);
    const single = await post(`/api/v1/devices/${deviceId}/commands`, { action });
    expect(single.statusCode).toBe(400);
    expect(single.json().message).toMatch(/^invalid action: refused parameter /);
    expect(single.json().message).toContain(reason);
    const bulk = await post('/api/v1/batches', { action, dryRun: false });
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json().message).toContain(reason);
    expect(await ctx.db.prisma.command.count({ where: { deviceId } })).toBe(0);
  });

  it('allows the video-call fixes: tcc.reset Camera for Zoom, firewall.allow of /Applications/zoom.us.app, zoom.clear-caches of alice\'s Zoom folders', async () => {
    const { deviceId } = await enroll(ctx.app);
    for (const action of [
      { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } },
      { type: 'firewall.allow', params: { appPath: '/Applications/zoom.us.app' } },
      { type: 'zoom.clear-caches', params: { user: 'alice', paths: ['/Users/alice/Library/Caches/us.zoom.xos', '/Users/alice/Library/Logs/zoom.us'] } },
    ]) expect((await post(`/api/v1/devices/${deviceId}/commands`, { action })).statusCode).toBe(201);
  });

  it('an admin widens the scope in the policy; an operator cannot; the agent itself never becomes a client', async () => {
    const { deviceId } = await enroll(ctx.app);
    const accessibility = { type: 'tcc.reset', params: { service: 'Accessibility', bundleId: 'us.zoom.xos' } };
    expect((await post(`/api/v1/devices/${deviceId}/commands`, { action: accessibility })).statusCode).toBe(400);
    expect((await putPolicy({ tccResetServices: ['Camera', 'Accessibility'] }, ctx.operator)).statusCode).toBe(403);
    const agentClient = await putPolicy({ tccResetClients: ['us.zoom.xos', 'com.fleetmedic.agent'] });
    expect(agentClient.statusCode).toBe(400);
    expect(agentClient.json().message).toContain('tccResetClients: "com.fleetmedic.agent" is the agent itself');
    try {
      expect((await putPolicy({ tccResetServices: ['Camera', 'Accessibility'] })).statusCode).toBe(200);
      expect((await post(`/api/v1/devices/${deviceId}/commands`, { action: accessibility })).statusCode).toBe(201);
    } finally {
      expect((await putPolicy({})).statusCode).toBe(200);
    }
  });

  it('a remediation skips a stored remedy the scope no longer allows, naming the refusal', async () => {
    await cameraDeniedMac('scope-anna-mbp');
    const plan = async () => (await post('/api/v1/remediations', { findingId: 'tcc.camera.denied', dryRun: true, filter: { search: 'scope-' } })).json();
    expect((await plan()).targets).toHaveLength(1);
    try {
      expect((await putPolicy({ tccResetServices: ['Microphone'] })).statusCode).toBe(200);
      const narrowed = await plan();
      expect(narrowed.targets).toEqual([]);
      expect(narrowed.skipped).toEqual([expect.objectContaining({
        hostname: 'scope-anna-mbp',
        reason: 'the stored remedy is not a valid action: refused parameter service "Camera": tcc.reset may reset Microphone (an admin widens this in the policy)',
      })]);
    } finally {
      expect((await putPolicy({})).statusCode).toBe(200);
    }
  });
});
