// Issue 15, item 2: a Mac with 40,000 firewall apps and 12,000 TCC rows made a 10.1 MB report;
// the server closed 1009 at 8 MiB, the agent resent it at every reconnect, and since it headed
// the outbox no later report got through. The real agent daemon (collectors over a recorded Mac,
// the list multiplied), the real server on 127.0.0.1, real sockets.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentDaemon, collectSnapshot, ReplayRunner, type DaemonEvent } from '@fleetmedic/agent';
import type { Snapshot } from '@fleetmedic/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetMedicApp } from '@fleetmedic/server';
import { TEST_ADMIN_TOKEN, TEST_ENROLL_SECRET, bearer, buildTestApp } from '@fleetmedic/server/testing/harness';
import { openTestDatabase, type TestDatabase } from '@fleetmedic/server/testing/test-database';
import { RECORDED_MACS, waitFor } from './support/agents.js';

const MAC = path.join(RECORDED_MACS, 'mbp-m2pro-26-firewall-blocks-zoom');

let db: TestDatabase;
let app: FleetMedicApp;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase();
  app = await buildTestApp(db);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db?.cleanup();
});

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${url}${p}`, { headers: bearer(TEST_ADMIN_TOKEN) });
  if (!res.ok) throw new Error(`GET ${p} -> ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The recorded Mac's real snapshot with its firewall list grown to `apps` and its user TCC.db to `tccRows` (copies of its own rows, each path its own). */
function grown(real: Snapshot, apps: number, tccRows: number): Snapshot {
  const s = structuredClone(real);
  const fw = s.sections.firewall!.data!;
  const app0 = fw.apps![0]!;
  fw.apps = Array.from({ length: apps }, (_, i) => ({ ...app0, path: `/Users/alice/Library/Application Support/JetBrains/Toolbox/apps/IDEA-U/ch-0/${i}/IntelliJ IDEA.app/Contents/jbr/Contents/Home/bin/java`, name: null }));
  const tcc = s.sections.tcc!.data!.databases.find((d) => d.entries.length > 0)!;
  const row0 = tcc.entries[0]!;
  tcc.entries = Array.from({ length: tccRows }, (_, i) => ({ ...row0, client: `com.example.vendor.helper-application-${i}` }));
  return s;
}

describe('one oversized report never silences a Mac', () => {
  it('the report over 8 MiB is cut to fit and acked, a later report is acked too, and the firewall is could-not-check with the reason', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'fm-oversize-'));
    const runner = await ReplayRunner.open(MAC, { stateDir: path.join(stateDir, 'replay') });
    const real = await collectSnapshot(runner, { serverUrl: url });
    expect(real.sections.firewall?.status).toBe('ok');
    const big = grown(real, 40_000, 12_000);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(8 * 1024 * 1024);

    const snapshots = [big, real];
    const events: DaemonEvent[] = [];
    const warnings: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
    const daemon = await AgentDaemon.start({
      serverUrl: url, enrollSecret: TEST_ENROLL_SECRET, stateDir, runner, logger,
      schedule: null, jitterSeconds: 0, minBackoffMs: 50, maxBackoffMs: 500,
      collect: async () => snapshots.shift() ?? real,
      onEvent: (e) => events.push(e),
    });
    try {
      const acked = (id: string) => events.some((e) => e.type === 'acked' && e.id === id);
      const reports = () => events.filter((e): e is Extract<DaemonEvent, { type: 'report' }> => e.type === 'report');
      const first = reports()[0]!.id;
      await waitFor('the oversized report acked', async () => (acked(first) ? true : undefined), 60_000);

      const { devices } = await api<{ devices: { id: string; hostname: string }[] }>('/api/v1/devices?limit=10');
      const id = devices.find((d) => d.hostname === real.host.hostname)!.id;
      const detail = await api<{ device: { unknownSections: string[] }; sections: { section: string; status: string; body: { reason?: string } }[] }>(`/api/v1/devices/${id}`);
      expect(detail.device.unknownSections).toContain('firewall');
      const firewall = detail.sections.find((x) => x.section === 'firewall')!;
      expect(firewall.status).toBe('unavailable');
      expect(firewall.body.reason).toMatch(/^too large to report: this section is \d+\.\d MB \(40,000 apps\) in a \d+\.\d MB report; an agent message is at most 8 MiB$/);

      const cutLog = warnings.find((w) => w.id === first && Array.isArray(w.cut));
      expect(cutLog).toMatchObject({ limitBytes: 8 * 1024 * 1024, id: first });
      expect((cutLog!.cut as { section: string }[]).map((c) => c.section)).toContain('firewall');

      await daemon.collectNow('test');
      const second = reports()[1]!.id;
      await waitFor('the later report acked', async () => (acked(second) ? true : undefined), 30_000);
      expect(await daemon.outbox.ids()).toEqual([]);
    } finally {
      await daemon.stop();
    }
  }, 120_000);
});
