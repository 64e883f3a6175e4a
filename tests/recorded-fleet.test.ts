import { SECTION_NAMES, Snapshot, validator } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, buildTestApp, enroll, listen } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { collectRecordedFleet, type RecordedSnapshot } from './support/recorded-fleet.js';

/**
 * Each recorded Mac's health in the one severity model, written out by hand from its scenario:
 * a critical finding = cannot-join; unreadable TCC.db (camera and microphone unchecked) = unknown;
 * warnings only = at-risk; nothing = ready.
 */
const EXPECTED_HEALTH: Record<string, string> = {
  'macmini-m4-27-camera-denied-log': 'cannot-join',
  'macmini-m4-27-no-camera': 'cannot-join',
  'macmini-m4-27-tcc-unreadable': 'unknown',
  'mba-m2-13-zoom-4.5-outdated': 'at-risk',
  'mba-m2-14-camera-denied': 'cannot-join',
  // No camera or audio list can be composed for its USB tree (recorded-macs/README.md): devices unknown.
  'mbp-intel-t2-12-macos-outdated': 'unknown',
  'mbp-intel-t2-13-zoom-not-installed': 'cannot-join',
  'mbp-m1max-14-healthy': 'ready',
  'mbp-m1max-14-offline': 'ready',
  'mbp-m1max-14-zoom-sinkholed': 'cannot-join',
  // As above: no real camera list names its display cameras.
  'mbp-m1pro-15-display-camera-full-budget': 'unknown',
  'mbp-m1pro-15-firewall-block-all': 'cannot-join',
  'mbp-m1pro-15-microphone-denied': 'cannot-join',
  'mbp-m1pro-15-zoom-outdated': 'at-risk',
  'mbp-m1pro-15-usb-camera-unlisted': 'at-risk',
  'mbp-m1pro-15-two-cameras-usb2-hub': 'at-risk',
  'mbp-m2pro-26-firewall-blocks-zoom': 'cannot-join',
  'mbp-m5pro-26-content-filter-waiting': 'at-risk',
  'mbp-m5pro-26-healthy': 'ready',
  'mbp-m5pro-26-screen-capture-mdm-denied': 'at-risk',
  'mbp-m5pro-26-tcc-unreadable': 'unknown',
  'mbp-m5pro-26-zoom-tls-inspected': 'at-risk',
  'mbp-m5pro-26-zoom-damaged': 'cannot-join',
  'mbp-m5pro-26-two-zooms': 'at-risk',
};

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;
let recorded: RecordedSnapshot[];

beforeAll(async () => {
  recorded = await collectRecordedFleet();
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await listen(app);
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

const checkSnapshot = validator(Snapshot);

describe('snapshots of the recorded Macs, through the gateway', () => {
  it('every recorded snapshot is a valid Snapshot', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(10);
    for (const r of recorded) expect({ mac: r.mac, check: checkSnapshot(r.snapshot) }).toEqual({ mac: r.mac, check: { ok: true, value: r.snapshot } });
  });

  it('each Mac is stored and diagnosed with exactly the findings its scenario expects', async () => {
    for (const r of recorded) {
      const { host } = r.snapshot;
      const { deviceId, deviceToken } = await enroll(app, { hostname: host.hostname, serialNumber: host.serialNumber });
      const agent = await TestAgent.connect(url, deviceToken);
      const reportId = `rec-${r.mac}`.slice(0, 64).replace(/[^A-Za-z0-9_-]/g, '_');
      agent.send({ type: 'report', id: reportId, snapshot: r.snapshot });
      expect(await agent.next((m) => m.type === 'ack' || m.type === 'error')).toEqual({ type: 'ack', id: reportId });
      agent.close();

      const res = await app.inject({ method: 'GET', url: `/api/v1/devices/${deviceId}`, headers: bearer(TEST_ADMIN_TOKEN) });
      const body = res.json();
      const found = [...new Set(body.findings.map((f: { ruleId: string }) => f.ruleId))].sort();
      expect({ mac: r.mac, findings: found }).toEqual({ mac: r.mac, findings: [...r.expectedFindings].sort() });
      expect({ mac: r.mac, health: body.device.health }).toEqual({ mac: r.mac, health: EXPECTED_HEALTH[r.mac] ?? 'a health for this Mac in EXPECTED_HEALTH' });
      expect(body.device).toMatchObject({ hostname: host.hostname, consoleUser: host.consoleUser });
      if (r.snapshot.sections.os.data) expect(body.device.osVersion).toContain(r.snapshot.sections.os.data.productVersion);
      expect(body.sections).toHaveLength(SECTION_NAMES.length);
    }
  });

  it('the fleet summary counts the recorded fleet by finding id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/fleet/summary', headers: bearer(TEST_ADMIN_TOKEN) });
    const summary = res.json();
    expect(summary.total).toBe(recorded.length);
    const count = (h: string) => recorded.filter((r) => EXPECTED_HEALTH[r.mac] === h).length;
    expect([summary.cannotJoin, summary.unknown, summary.atRisk, summary.ready]).toEqual([count('cannot-join'), count('unknown'), count('at-risk'), count('ready')]);
    // Worst first: every critical finding before every warning.
    const severities = summary.findings.map((f: { severity: string }) => f.severity);
    expect(severities).toEqual([...severities].sort((a: string, b: string) => (a === 'critical' ? 0 : 1) - (b === 'critical' ? 0 : 1)));
    const expected = new Map<string, number>();
    for (const r of recorded) for (const id of new Set(r.expectedFindings)) expected.set(id, (expected.get(id) ?? 0) + 1);
    expect(Object.fromEntries(summary.findings.map((f: { id: string; devices: number }) => [f.id, f.devices]))).toEqual(Object.fromEntries(expected));
  });
});
