// An agent that predates a section: its report ingests, diagnoses, and the section shows as
// "not reported by this agent version", never healthy; its second identical report takes the
// fast path. The input is a real report of the agent as it was before the section registry
// (`pnpm --silent agent collect --replay recorded-macs/mbp-m5pro-26-healthy --json` at 68ddca1).
// The section registered after 1.0 here is the real `network` (since 1.1).
import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, SECTION_NAMES, Snapshot, validator, type DeltaReportMessage } from '@fleetmedic/protocol';
import { diagnoseWithErrors, resolvePolicy, type Rule } from '@fleetmedic/diagnosis';
import { networkSection } from '@fleetmedic/diagnosis/testing';
import { sectionHashes } from '@fleetmedic/protocol/hash';
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TestAgent, bearer, enroll, useTestApp } from '../testing/harness.js';
import { contentHash } from './canonical-json.js';
import { fastPathIngest } from './fast-path.js';
import { ingestReport } from './ingest.js';
import { prepareReport, stateFingerprint } from './prepare.js';

const OLD_REPORT = JSON.parse(readFileSync(new URL('./fixtures/report-1.0-mbp-m5pro-26-healthy.json', import.meta.url), 'utf8')) as Snapshot;
const SIX = ['os', 'zoom', 'tcc', 'firewall', 'usb', 'power'];
/** Every section registered after 1.0: none of them is in the old report. */
const LATER = SECTION_NAMES.filter((n) => !SIX.includes(n));

const ctx = useTestApp();

describe('a section registered after 1.0, and a report of an agent that predates it', () => {
  it('the registry derives the section list, and the old report still validates', () => {
    expect(SECTION_NAMES.slice(0, 7)).toEqual([...SIX, 'network']);
    expect(Object.keys(OLD_REPORT.sections)).toEqual(SIX);
    expect(validator(Snapshot)(OLD_REPORT)).toEqual({ ok: true, value: OLD_REPORT });
  });

  it('a rule over the section does not run: the section is not reported, neither passed nor unknown', () => {
    const probeRule = {
      id: 'network.zoom-unreachable', title: 'probe rule', description: 'flags every Mac', sections: ['network'],
      evaluate: () => { throw new Error('must not run on a report without the section'); },
    } as unknown as Rule;
    const d = diagnoseWithErrors(OLD_REPORT, DEFAULT_POLICY, [probeRule]);
    expect(d).toEqual({ findings: [], unknown: [], notReported: LATER, unknownReasons: [], ruleErrors: [] });
  });

  it('ingests through the gateway, diagnoses, and shows the section as not reported; the next identical report is unchanged on the fast path', async () => {
    const { app, url, db } = ctx;
    const { deviceId, deviceToken } = await enroll(app, { hostname: OLD_REPORT.host.hostname, serialNumber: OLD_REPORT.host.serialNumber });
    const agent = await TestAgent.connect(url, deviceToken);
    agent.send({ type: 'report', id: 'old-agent-report-0001', snapshot: OLD_REPORT });
    expect(await agent.next((m) => m.type === 'ack' || m.type === 'error')).toEqual({ type: 'ack', id: 'old-agent-report-0001' });

    const detail = (await app.inject({ method: 'GET', url: `/api/v1/devices/${deviceId}`, headers: bearer(TEST_ADMIN_TOKEN) })).json();
    // Healthy in every section it reports, so the only thing keeping it from "healthy" is the unreported one.
    expect(detail.findings).toEqual([]);
    expect(detail.device).toMatchObject({ health: 'unknown', unknownSections: [], notReportedSections: LATER });
    expect(detail.sections.map((s: { section: string }) => s.section).sort()).toEqual([...SIX].sort());
    const list = (await app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(TEST_ADMIN_TOKEN) })).json();
    expect(list.devices.find((d: { id: string }) => d.id === deviceId)).toMatchObject({ health: 'unknown', notReportedSections: LATER });

    // The old agent's next report: a delta with its six hashes and no content (nothing changed).
    const next = { ...OLD_REPORT, collectedAt: new Date(Date.parse(OLD_REPORT.collectedAt) + 60_000).toISOString() };
    const { sections, ...rest } = next;
    const delta: DeltaReportMessage = { type: 'report', id: 'old-agent-report-0002', delta: { ...rest, hashes: sectionHashes(sections), sections: {} } };
    expect(Object.keys(delta.delta.hashes)).toEqual(SIX);
    agent.send(delta);
    expect(await agent.next((m) => m.type === 'ack' || m.type === 'error')).toEqual({ type: 'ack', id: 'old-agent-report-0002' });
    agent.close();
    const stats = (await app.inject({ method: 'GET', url: '/api/v1/agent/ingest-stats', headers: bearer(TEST_ADMIN_TOKEN) })).json();
    expect(stats).toMatchObject({ full: 1, unchanged: 1 });

    // The fast path's own statement matches the third identical report.
    const third = prepareReport({ ...delta, id: 'old-agent-report-0003', delta: { ...delta.delta, collectedAt: new Date(Date.parse(next.collectedAt) + 60_000).toISOString() } });
    const fast = await fastPathIngest(db.prisma, [{
      deviceId, reportId: third.reportId, collectedAt: third.collectedAt, sectionsKey: third.sectionsKey, stateHash: stateFingerprint(third, contentHash(resolvePolicy())),
    }], new Date());
    expect(fast).toEqual(['unchanged']);
  });

  it('a Mac whose agent is downgraded below the section: the stored section is dropped, and it shows as not reported', async () => {
    const { app, db } = ctx;
    const { deviceId } = await enroll(app, { hostname: 'downgraded-mac', serialNumber: 'C02DOWNGRADE1' });
    const newer = { ...OLD_REPORT, sections: { ...OLD_REPORT.sections, network: networkSection() } } as Snapshot;
    expect(await ingestReport(db.prisma, { deviceId, reportId: 'newer-agent-0001', snapshot: newer, policy: resolvePolicy() }))
      .toMatchObject({ kind: 'stored', notReportedSections: LATER.filter((n) => n !== 'network') });
    const older = { ...OLD_REPORT, collectedAt: new Date(Date.parse(OLD_REPORT.collectedAt) + 60_000).toISOString() };
    expect(await ingestReport(db.prisma, { deviceId, reportId: 'older-agent-0002', snapshot: older, policy: resolvePolicy() }))
      .toMatchObject({ kind: 'stored', changedSections: [], health: 'unknown', notReportedSections: LATER });
    const rows = await db.prisma.sectionState.findMany({ where: { deviceId }, select: { section: true } });
    expect(rows.map((r) => r.section).sort()).toEqual([...SIX].sort());
  });
});
