import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { copyFile, cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, RECORDED_MACS, startStack, waitFor, type EmptyStack, type Stack } from './testing/stack.js';
import type { FleetChanges } from '../web/api/types.js';
import { findingInfo } from '../web/model/findings.js';
import { tilesCaption } from '../web/model/words.js';

/**
 * The dashboard in Debian's Chromium against the real server (buildApp, PGlite in memory) with a
 * real agent process per recorded Mac. Builds the page first (vite build -> apps/dashboard/dist).
 * Takes overview.png (last, so its trend shows the Macs that broke and the fixes made here),
 * finding.png (what changed before the camera broke), device.png and bulk-fix.png:
 * into docs/screenshots with FLEETMEDIC_SCREENSHOTS=1 (to refresh the README's pictures),
 * otherwise into a temporary folder, so a test run leaves the checkout unchanged.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SCREENSHOTS = process.env.FLEETMEDIC_SCREENSHOTS ? path.join(REPO_ROOT, 'docs/screenshots') : mkdtempSync(path.join(tmpdir(), 'fm-screenshots-'));
const MACS = readdirSync(RECORDED_MACS).filter((d) => existsSync(path.join(RECORDED_MACS, d, 'host.json')) && statSync(path.join(RECORDED_MACS, d)).isDirectory());
const CAMERA_MAC = 'mba-m2-14-camera-denied';
const FIREWALL_MAC = 'mbp-m2pro-26-firewall-blocks-zoom';
// Bulk fix uses the microphone Mac: the camera Mac's finding is fixed by the device-page step.
const MICROPHONE_MAC = 'mbp-m1pro-15-microphone-denied';
// Two M1 Max Macs on macOS 14.6.1 that report healthy, are then upgraded to 15.6.1 and lose the
// camera: what changed before it broke. Their 15.6.1 sw_vers is the recorded one of an M1 Pro/Max
// (T6000) MacBook Pro; the user TCC.db is their own recorded one with Zoom's camera row denied.
const UPGRADED_MACS = ['mbp-m1max-14-healthy', 'mbp-m1max-14-offline'];
const SEQUOIA_SW_VERS = path.join(RECORDED_MACS, 'mbp-m1pro-15-microphone-denied/cmd/sw_vers.out');
const USER_TCC_DB = 'fs/Users/user/Library/Application Support/com.apple.TCC/TCC.db';
// A Mac without Full Disk Access: both TCC.db files exist and cannot be read, one cause.
const NO_FDA_MAC = 'mbp-m5pro-26-tcc-unreadable';
const execFileAsync = promisify(execFile);

interface Summary { total: number; cannotJoin: number; atRisk: number; ready: number; unknown: number; offline: number; findings: { id: string; severity: string; devices: number }[] }
interface ListRow { id: string; hostname: string; health: string; topReason: { title: string } | null }
interface Detail {
  device: { hostname: string };
  sections: { section: string; body: { data?: { databases?: { status: string }[]; productVersion?: string } } }[];
  findings: { ruleId: string; key: string; title: string; state: string; evidence: unknown[]; remedy: { action?: unknown } }[];
}
interface Plan { targets: { deviceId: string; hostname: string }[]; skipped: { deviceId: string; hostname: string; reason: string }[] }
interface Sample { at: string; total: number; cannotJoin: number; atRisk: number; ready: number; unknown: number }
/** A <progress> element as the page script sees it (this file compiles without the DOM types). */
interface Progress { value: number; max: number }

let stack: Stack;
let browser: Browser;
const pageErrors: string[] = [];
const logs: string[] = [];

const get = async <T>(url: string, token = stack.tokens.admin): Promise<T> => {
  const res = await fetch(`${stack.apiUrl}/api/v1${url}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** A dry run of POST /api/v1/remediations for `findingId` on the Macs with it open, as the operator. */
const dryRun = async (findingId: string): Promise<Plan> => {
  const res = await fetch(`${stack.apiUrl}/api/v1/remediations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ findingId, dryRun: true, filter: { finding: findingId } }),
  });
  if (!res.ok) throw new Error(`dry run ${findingId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Plan;
};

/** Records the fleet's counts now, as the scheduled fleet-sample job does every 15 minutes. */
const sampleFleet = () => stack.app.services.jobs.runNow('fleet-sample', { force: true });

/** Sends "Collect now" (agent.collect) to a Mac as the operator. */
async function collectNow(deviceId: string): Promise<void> {
  const res = await fetch(`${stack.apiUrl}/api/v1/devices/${deviceId}/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: { type: 'agent.collect', params: {} } }),
  });
  if (!res.ok) throw new Error(`collect ${deviceId}: ${res.status} ${await res.text()}`);
}

/**
 * A macOS upgrade on a replayed Mac: the agent stops (the Mac restarts), `sw_vers` answers with
 * `swVers` from then on, and the state gets its own copy of the recorded fs/ for later changes (a
 * running agent sees a copy only when it starts); then the agent starts again and reports.
 */
async function upgradeMacos(mac: string, swVers: string): Promise<void> {
  await stack.stopAgent(mac);
  const state = stack.stateDir(mac);
  await mkdir(path.join(state, 'cmd'), { recursive: true });
  await copyFile(swVers, path.join(state, 'cmd/sw_vers.out'));
  if (!existsSync(path.join(state, 'fs'))) await cp(path.join(RECORDED_MACS, mac, 'fs'), path.join(state, 'fs'), { recursive: true });
  stack.startAgent(mac);
}

/**
 * The user answers "Don't Allow" to Zoom's camera prompt: tccd sets Zoom's camera row in the user's
 * TCC.db (the state's copy) to auth_value 0 with auth_reason 2 (User Consent), as the recorded
 * camera-denied Macs have it, last_modified now (s).
 */
async function denyCamera(mac: string): Promise<void> {
  const sql = `UPDATE access SET auth_value = 0, auth_reason = 2, last_modified = ${Math.floor(Date.now() / 1000)} `
    + "WHERE service = 'kTCCServiceCamera' AND client = 'us.zoom.xos'; SELECT changes();";
  const { stdout } = await execFileAsync('sqlite3', [path.join(stack.stateDir(mac), USER_TCC_DB), sql]);
  if (stdout.trim() !== '1') throw new Error(`${mac}: expected one camera row of us.zoom.xos, changed ${stdout.trim()}`);
}

const osVersion = (d: Detail) => d.sections.find((x) => x.section === 'os')?.body.data?.productVersion;

/** What each page logged: console errors and failed requests, for the message of a wait that timed out. */
const pageLogs = new WeakMap<Page, string[]>();

/**
 * Runs `wait` (a wait on `page`); when it fails, throws with what the page showed and logged (its
 * text, console errors, failed requests), so a page that never rendered says why.
 */
async function explained<T>(page: Page, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const text = await page.locator('body').innerText().catch((e: Error) => `(no text: ${e.message})`);
    throw new Error(`${(err as Error).message}\n--- ${page.url()} showed:\n${text.slice(0, 1500)}\n--- it logged:\n${(pageLogs.get(page) ?? []).join('\n') || '(nothing)'}`);
  }
}

/** Waits for `locator` on `page`, saying what the page showed if it never comes. */
const shown = (page: Page, locator: ReturnType<Page['locator']>): Promise<void> => explained(page, () => locator.waitFor());

/** A page of a fresh context (its own sessionStorage), signed in with `token` through the form at `base`. */
async function signedIn(token: string, width = 1366, height = 900, base = stack.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const logs: string[] = [];
  pageLogs.set(page, logs);
  page.on('console', (m) => { if (m.type() === 'error') logs.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => logs.push(`request failed: ${r.failure()?.errorText} ${r.method()} ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) logs.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  // A blocked script, style, image or request under the server's Content-Security-Policy is a page error too.
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text()); });
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
  return { context, page };
}

/** What the overview showed before any Mac enrolled: tile values, the trend panel and the what-changed panel. */
let emptyFleet: { tiles: string[]; notes: string[]; trend: string | null; changes: string | null };

async function readEmptyOverview(empty: EmptyStack): Promise<void> {
  const { context, page } = await signedIn(empty.tokens.viewer, 1366, 900, empty.url);
  await page.locator('#trend').waitFor();
  emptyFleet = {
    tiles: await page.locator('.tile .tile-value').allTextContents(),
    notes: await page.locator('.tile .tile-note').allTextContents(),
    trend: await page.locator('#trend').textContent(),
    changes: await page.locator('#changes').textContent(),
  };
  await context.close();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await build({ configFile: path.join(REPO_ROOT, 'apps/dashboard/vite.config.ts'), logLevel: 'warn' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  stack = await startStack(MACS, (line) => logs.push(line), readEmptyOverview);
  // The trend starts with the fleet: the arrival sampler records the fleet once every Mac has
  // reported (no manual sample, and none of the empty fleet before the first Mac enrolled).
  const now = await get<Summary>('/fleet/summary');
  const samples = await waitFor('a trend sample of the whole reported fleet', async () => {
    const { samples: all } = await get<{ samples: Sample[] }>('/fleet/trend?hours=1');
    const last = all[all.length - 1];
    return last && last.total === now.total && last.cannotJoin === now.cannotJoin && last.unknown === now.unknown ? all : undefined;
  }, 60_000);
  if (samples.some((x) => x.total === 0)) throw new Error('the trend holds a sample of the empty fleet');
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// A failed test shows what the agents logged (warnings and errors) while it ran.
let logsBefore = 0;
beforeEach(() => {
  logsBefore = logs.length;
});
afterEach(({ task }) => {
  if (task.result?.state === 'fail') console.log(`agents logged during "${task.name}":\n${logs.slice(logsBefore).slice(-100).join('\n') || '(nothing)'}`);
});

describe('dashboard against the real server and agents', () => {
  it('before any Mac reported: the overview says plainly there is no history yet, and counts no Mac', () => {
    expect(emptyFleet.tiles).toEqual(['0', '0', '0', '0', '0']);
    expect(new Set(emptyFleet.notes)).toEqual(new Set(['no Macs enrolled yet']));
    expect(emptyFleet.trend).toContain('Not enough history yet: the first point is taken as soon as a Mac reports.');
    expect(emptyFleet.changes).toContain('No open findings: nothing broke.');
  });

  it('refuses a wrong token with a reason, and keeps the good one for the tab only', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByLabel('API token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('does not accept this token');
    await page.getByLabel('API token').fill(stack.tokens.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("fleetmedic.adminToken")')).toBe(stack.tokens.operator);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("fleetmedic.adminToken")')).toBeNull();
    await context.close();
  }, 60_000);

  it('loads without a failed request: the favicon is an SVG the server serves', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed: string[] = [];
    // The browser fetches the favicon itself: it shows only as a console error, not as a page response.
    page.on('console', (m) => { if (m.type() === 'error') failed.push(`${m.text()} ${m.location().url}`); });
    page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    page.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText} ${r.url()}`));
    const index = await page.goto(`${stack.url}/`, { waitUntil: 'load' });
    expect(index?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index?.headers()['x-content-type-options']).toBe('nosniff');
    await page.getByLabel('API token').fill(stack.tokens.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.tile').first().waitFor();
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toMatch(/^\.\/assets\/favicon-[\w-]+\.svg$/);
    const served = await page.request.get(new URL(icon!, page.url()).href);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('image/svg+xml');
    expect(await served.text()).toContain('<svg');
    expect(failed).toEqual([]);
    await context.close();
  }, 60_000);

  it('overview: one severity model in the tiles, reasons worst first, worst Macs first with their top reason', async () => {
    const summary = await get<Summary>('/fleet/summary');
    expect(summary.total).toBe(MACS.length);
    // "Cannot join" apart from "at risk"; unreadable permissions are unknown, not a problem count.
    expect(summary.cannotJoin).toBeGreaterThan(0);
    expect(summary.atRisk).toBeGreaterThan(0);
    expect(summary.unknown).toBeGreaterThanOrEqual(2);
    expect(summary.cannotJoin + summary.atRisk + summary.unknown + summary.ready).toBe(summary.total);
    const { context, page } = await signedIn(stack.tokens.operator);
    const tile = (label: string) => page.locator('.tile', { hasText: label }).locator('.tile-value').textContent();
    expect(await tile('Cannot join')).toBe(String(summary.cannotJoin));
    expect(await tile('At risk')).toBe(String(summary.atRisk));
    expect(await tile('Unknown')).toBe(String(summary.unknown));
    expect(await tile('Ready for calls')).toBe(String(summary.ready));
    expect(await tile('Offline')).toBe(String(summary.offline));
    // Offline Macs are in the other tiles too, by their last report: the caption says so.
    expect(await page.locator('.tiles-caption').textContent()).toBe(tilesCaption(summary));
    const reasons = page.locator('.problems li');
    expect(await reasons.count()).toBe(summary.findings.filter((f) => f.devices > 0).length);
    // Critical reasons come first.
    expect(await reasons.first().locator('.badge').textContent()).toBe('critical');
    // Every critical reason before every warning, under "Cannot join".
    const badges = await reasons.locator('.badge').allTextContents();
    expect(badges).toEqual([...badges].sort((a, b) => (a === 'critical' ? 0 : 1) - (b === 'critical' ? 0 : 1)));
    expect(await page.locator('.problems-group').first().textContent()).toBe(`Cannot join: ${summary.cannotJoin} Macs`);
    // Worst Macs first, in the API's order, each with its top reason; a Mac that cannot join leads.
    await page.locator('.worst li').first().waitFor();
    const worst = (await get<{ devices: ListRow[] }>('/devices?sort=worst&limit=8')).devices.filter((d) => d.health !== 'ready');
    expect(await page.locator('.worst li > a').allTextContents()).toEqual(worst.map((d) => d.hostname));
    expect(worst[0]!.health).toBe('cannot-join');
    const shown = await page.locator('.worst .worst-findings').allTextContents();
    shown.forEach((text, i) => expect(text).toContain(worst[i]!.topReason!.title));
    // What changed before it broke: on the overview, per finding; recorded Macs had theirs from the first report, and it says so.
    await page.locator('#changes').waitFor();
    expect(await page.locator('#changes').textContent()).toContain('from its first report: nothing before to compare');

    await page.getByRole('link', { name: /Zoom is denied the camera/ }).first().click();
    await page.getByRole('heading', { name: 'Zoom is denied the camera' }).waitFor();
    const camera = await get<{ devices: { hostname: string }[] }>('/devices?finding=tcc.camera.denied');
    await waitFor('filtered rows', async () => ((await page.locator('table.devices tbody tr').count()) === camera.devices.length ? true : undefined));
    expect(await page.locator('table.devices tbody th').allTextContents()).toEqual(camera.devices.map((d) => d.hostname));
    expect(page.url()).toContain('#/devices?finding=tcc.camera.denied');
    await context.close();
  }, 60_000);

  it('what changed before it broke: two Macs upgrade macOS, then lose the camera; the overview and the finding page say "2 of N Macs"', async () => {
    const ids = UPGRADED_MACS.map((mac) => stack.devices[mac]!);
    for (const id of ids) {
      const d = await get<Detail>(`/devices/${id}`);
      expect(osVersion(d)).toBe('14.6.1');
      expect(d.findings.filter((f) => f.ruleId === 'tcc.camera.denied')).toEqual([]);
    }
    await Promise.all(UPGRADED_MACS.map((mac) => upgradeMacos(mac, SEQUOIA_SW_VERS)));
    await waitFor('both Macs to report macOS 15.6.1', async () =>
      ((await Promise.all(ids.map(async (id) => osVersion(await get<Detail>(`/devices/${id}`))))).every((v) => v === '15.6.1') ? true : undefined), 120_000);
    await Promise.all(UPGRADED_MACS.map(denyCamera));
    await Promise.all(ids.map(collectNow));
    await waitFor('the camera finding open on both Macs', async () =>
      ((await Promise.all(ids.map(async (id) => (await get<Detail>(`/devices/${id}`)).findings.some((f) => f.ruleId === 'tcc.camera.denied' && f.state === 'open')))).every(Boolean) ? true : undefined), 60_000);
    // The trend gets the two Macs that broke, as the next scheduled sample would.
    await sampleFleet();

    const n = (await get<{ devices: unknown[] }>('/devices?finding=tcc.camera.denied')).devices.length;
    const camera = (await get<FleetChanges>('/fleet/changes?finding=tcc.camera.denied&hours=24&limit=5')).findings[0]!;
    // The two upgraded Macs are compared; the recorded camera-denied Macs had it from their first report.
    expect(camera).toMatchObject({ findingId: 'tcc.camera.denied', devices: n, compared: 2 });
    expect(camera.changes).toEqual([
      { section: 'os', change: 'macOS 14.6.1 → 15.6.1', devices: 2 },
      { section: 'tcc', change: 'kTCCServiceCamera for us.zoom.xos (user TCC.db): allowed → denied', devices: 2 },
    ]);
    const sentences = [
      `2 of ${n} Macs with “Zoom is denied the camera” went through macOS 14.6.1 → 15.6.1 in the 24 hours before it appeared`,
      `2 of ${n} Macs with “Zoom is denied the camera” went through kTCCServiceCamera for us.zoom.xos (user TCC.db): allowed → denied in the 24 hours before it appeared`,
    ];
    const uncompared = `${n - 2} ${n - 2 === 1 ? 'Mac had it from its' : 'Macs had it from their'} first report: nothing before to compare.`;

    // On the overview: the camera leads (critical, most Macs), its shared changes in words.
    const { context, page } = await signedIn(stack.tokens.viewer);
    const onOverview = page.locator('#changes .changes-finding').first();
    await onOverview.locator('ul.changes[data-finding="tcc.camera.denied"]').waitFor();
    expect(await onOverview.locator('h3').textContent()).toBe('Zoom is denied the camera');
    expect(await onOverview.locator('ul.changes li').allTextContents()).toEqual(sentences);
    expect(await onOverview.textContent()).toContain(uncompared);

    // On the finding's page: the same panel above its Macs.
    await page.goto(`${stack.url}/#/devices?finding=tcc.camera.denied`);
    await waitFor('the camera Macs listed', async () => ((await page.locator('table.devices tbody tr').count()) === n ? true : undefined));
    await page.locator('#changes ul.changes li').first().waitFor();
    expect(await page.locator('#changes ul.changes li').allTextContents()).toEqual(sentences);
    expect(await page.locator('#changes').textContent()).toContain(uncompared);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'finding.png'), fullPage: true });

    // Each Mac's history: the section changes, then the finding first seen.
    await page.goto(`${stack.url}/#/devices/${ids[0]}`);
    await page.locator('#history li', { hasText: 'Zoom is denied the camera: first seen' }).waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 240_000);

  it('device list: search and health filter go to the server and into the URL', async () => {
    const { context, page } = await signedIn(stack.tokens.viewer);
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.locator('table.devices tbody tr').first().waitFor();
    expect(await page.locator('table.devices tbody tr').count()).toBe(MACS.length);
    await page.getByLabel('Search').fill('m2pro');
    await waitFor('search result', async () => ((await page.locator('table.devices tbody tr').count()) === 1 ? true : undefined));
    expect(await page.locator('table.devices tbody th').textContent()).toBe('mbp-m2pro-26');
    expect(page.url()).toContain('search=m2pro');
    // Nothing found says what was searched for, not just "no device".
    await page.getByLabel('Search').fill('zzz');
    await page.locator('.list-empty').waitFor();
    expect(await page.locator('.list-empty').textContent()).toBe('No Mac matches search “zzz” (hostname, serial number or console user).');
    await page.getByRole('link', { name: 'Clear filters' }).click();
    // A mistyped link: the list still shows every Mac and says what it ignored (was: the server's 400 schema error, no list).
    await page.goto(`${stack.url}/#/devices?sort=bogus&health=nope`);
    await page.locator('.ignored-filters').waitFor();
    expect(await page.locator('.ignored-filters').textContent()).toContain('health “nope”, sort “bogus”');
    await waitFor('every Mac listed', async () => ((await page.locator('table.devices tbody tr').count()) === MACS.length ? true : undefined));
    expect(await page.locator('.error').count()).toBe(0);
    // Cursor paging, 5 Macs a page: every Mac exactly once, in the server's order.
    await page.goto(`${stack.url}/#/devices?sort=hostname&limit=5`);
    const seen: string[] = [];
    const hosts = () => page.locator('table.devices tbody th').allTextContents();
    for (let pageNo = 1; ; pageNo++) {
      await page.getByText(`Page ${pageNo}`, { exact: true }).waitFor();
      await waitFor(`page ${pageNo} rows`, async () => ((await hosts()).some((h) => seen.includes(h)) || (await hosts()).length === 0 ? undefined : true));
      seen.push(...(await hosts()));
      const next = page.getByRole('button', { name: 'Next →' });
      if (await next.isDisabled()) break;
      await next.click();
    }
    const all = (await get<{ devices: { hostname: string }[] }>('/devices?sort=hostname&limit=500')).devices.map((d) => d.hostname);
    expect(seen).toEqual(all);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText(`Page ${Math.ceil(MACS.length / 5) - 1}`, { exact: true }).waitFor();
    // The default order is worst first, and each row says why (its top reason).
    await page.goto(`${stack.url}/#/devices`);
    const worstFirst = (await get<{ devices: ListRow[] }>('/devices?limit=500')).devices;
    await waitFor('worst-first rows', async () => ((await page.locator('table.devices tbody tr').count()) === worstFirst.length ? true : undefined));
    expect(await page.locator('table.devices tbody th').allTextContents()).toEqual(worstFirst.map((d) => d.hostname));
    const why = await page.locator('table.devices tbody td.why').allTextContents();
    worstFirst.forEach((d, i) => expect(why[i]).toContain(d.topReason?.title ?? '—'));
    for (const [health, words] of [['cannot-join', 'Cannot join'], ['at-risk', 'At risk'], ['unknown', 'Unknown'], ['ready', 'Ready for calls']] as const) {
      await page.getByLabel('Health').selectOption(health);
      const rows = await get<{ devices: ListRow[] }>(`/devices?health=${health}`);
      await waitFor(`${health} rows`, async () => ((await page.locator(`table.devices tbody tr[data-health="${health}"]`).count()) === rows.devices.length
        && (await page.locator('table.devices tbody tr').count()) === rows.devices.length ? true : undefined));
      expect(await page.locator('table.devices tbody .badge.health-' + health).allTextContents()).toEqual(rows.devices.map(() => words));
    }
    await context.close();
  }, 60_000);

  it('every device page renders its findings as the API has them, without page errors', async () => {
    const { context, page } = await signedIn(stack.tokens.viewer);
    const unreadTcc: string[] = [];
    for (const mac of MACS) {
      const id = stack.devices[mac]!;
      let detail = await get<Detail>(`/devices/${id}`);
      await page.goto(`${stack.url}/#/devices/${id}`);
      await page.getByRole('heading', { name: detail.device.hostname, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'USB devices and power' }).waitFor();
      // The agents keep reporting: the page (which follows the live feed) and the API are two reads
      // of a changing Mac, compared once they agree (a report between them failed run 7 of 12-06).
      await expect.poll(async () => {
        detail = await get<Detail>(`/devices/${id}`);
        return {
          page: (await page.locator('.findings .finding h3').allTextContents()).sort(),
          api: detail.findings.filter((f) => f.state !== 'resolved').map((f) => f.title).sort(),
        };
      }, { timeout: 15_000, message: mac }).toSatisfy((x: { page: string[]; api: string[] }) => JSON.stringify(x.page) === JSON.stringify(x.api));
      // A viewer sees no Fix or Collect buttons.
      expect(await page.getByRole('button', { name: /^Fix:|Collect now/ }).count(), mac).toBe(0);
      // Each open problem says what it breaks in Zoom.
      for (const f of detail.findings.filter((x) => x.state === 'open')) {
        expect(await page.locator(`.finding[data-finding-key=${JSON.stringify(f.key)}] .breaks`).textContent(), `${mac} ${f.key}`)
          .toBe(`In Zoom: ${findingInfo(f.ruleId).breaks}.`);
      }
      // No TCC.db read: the permissions are unknown, never an empty "no rows" table.
      const databases = detail.sections.find((x) => x.section === 'tcc')?.body.data?.databases ?? [];
      if (databases.length > 0 && databases.every((db) => db.status !== 'ok')) {
        unreadTcc.push(mac);
        expect(await page.locator('table.tcc .tcc-empty').textContent(), mac).toMatch(/^Unknown: no TCC\.db was read/);
        expect(await page.locator('table.tcc .decision').count(), mac).toBe(0);
      }
    }
    // The demo fleet has Macs without Full Disk Access.
    expect(unreadTcc.length).toBeGreaterThan(0);
    // One missing Full Disk Access grant is one problem, with each TCC.db it could not read as evidence.
    const noFdaId = stack.devices[NO_FDA_MAC]!;
    await page.goto(`${stack.url}/#/devices/${noFdaId}`);
    // The previous Mac's page is still up until this one loads: wait for this Mac's name and card.
    await page.getByRole('heading', { name: (await get<Detail>(`/devices/${noFdaId}`)).device.hostname, level: 1 }).waitFor();
    const noFda = page.locator('.finding[data-finding-key^="tcc.unreadable"]');
    await noFda.first().waitFor();
    expect(await noFda.count()).toBe(1);
    expect(await noFda.getAttribute('data-finding-key')).toBe('tcc.unreadable:full-disk-access');
    const evidence = await noFda.locator('.evidence li').allTextContents();
    expect(evidence).toHaveLength(2);
    evidence.forEach((e) => expect(e).toContain('TCC.db'));
    expect(await noFda.locator('.remedy').textContent()).toContain('Full Disk Access');
    // A link to no Mac says so and where to look (was: the API's "params/id must match format uuid").
    await page.goto(`${stack.url}/#/devices/not-a-device`);
    expect(await page.getByRole('alert').textContent()).toContain('No Mac has the id “not-a-device”. The link may be mistyped, or the Mac was removed.');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('device page: cameras and microphones, pending updates, each as the recorded Mac has them', async () => {
    const { context, page } = await signedIn(stack.tokens.viewer);
    const open = async (mac: string, heading: string) => {
      await page.goto(`${stack.url}/#/devices/${stack.devices[mac]!}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    };
    await open('macmini-m4-27-no-camera', 'macmini-m4-27-nocam');
    expect(await page.locator('#devices [data-testid="cameras"]').textContent()).toBe('macOS lists no camera');
    expect(await page.locator('#devices [data-testid="microphones"]').textContent()).toBe('none');
    expect(await page.locator('#devices .section-note, #devices .note').first().textContent()).toMatch(/text form/);
    await open('mbp-m1pro-15-usb-camera-unlisted', 'mbp-m1pro-15-cam');
    expect(await page.locator('#devices [data-testid="cameras"]').textContent()).toBe('MacBook Pro Camera');
    expect(await page.locator('.finding[data-finding-key^="devices.camera.unlisted"]').count()).toBe(2);
    await open(FIREWALL_MAC, 'mbp-m2pro-26');
    const row = page.locator('#software-update tbody tr', { hasText: 'macOS Tahoe 26.7' });
    expect(await row.locator('td[data-label="Recommended"]').textContent()).toBe('yes');
    expect(await row.locator('td[data-label="Restart"]').textContent()).toBe('needed');
    expect(await page.locator('#software-update tbody tr').count()).toBe(4);
    await open('mbp-intel-t2-12-macos-outdated', 'mbp-intel-t2-12');
    expect(await page.locator('#devices').textContent()).toMatch(/not recorded/);
    await context.close();
  }, 90_000);

  it('device page: TCC, firewall and USB facts; Fix names the Mac, runs on the agent, shows status and output live', async () => {
    const id = stack.devices[CAMERA_MAC]!;
    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices/${id}`);
    await shown(page, page.getByRole('heading', { name: 'mba-m2-14', level: 1 })); // timed out once at 4f0047f: this says what the page showed
    const zoomCamera = page.locator('table.tcc tbody tr', { hasText: 'us.zoom.xos' }).filter({ hasText: 'Camera' });
    expect(await zoomCamera.locator('.decision').textContent()).toBe('denied');
    expect(await zoomCamera.getAttribute('class')).toContain('row-bad');
    expect(await page.locator('#firewall dd').first().textContent()).toBe('On');
    expect(await page.locator('.usb-node').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="last-boot"]').textContent()).toMatch(/^2026-09-0[34] /);
    expect(await page.locator('[data-testid="restarted-since-reset"]').textContent()).toBe('no permission reset run on this Mac');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'device.png'), fullPage: true });

    // Keyboard: focus the Fix button, open with Enter, Escape closes without sending.
    const fix = page.getByRole('button', { name: 'Fix: Reset Camera permission…' });
    await fix.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Reset the Camera permission (TCC) of us.zoom.xos on mba-m2-14');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await get<{ commands: unknown[] }>(`/devices/${id}/commands`)).commands).toEqual([]);

    await fix.click();
    await dialog.getByRole('button', { name: 'Send to mba-m2-14' }).click();
    await dialog.locator('.cmd[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    expect(await dialog.locator('.cmd-status').textContent()).toBe('Succeeded');
    expect(await dialog.locator('.cmd-output pre').first().textContent()).toMatch(/reset/i);
    const commands = (await get<{ commands: { action: unknown; status: string; createdBy: string }[] }>(`/devices/${id}/commands`)).commands;
    expect(commands[0]).toMatchObject({ action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos' } }, status: 'succeeded', createdBy: 'e2e operator' });
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The agent collected again: the finding leaves "open" (awaiting the user's consent, or resolved).
    await waitFor('the camera finding to leave open', async () => {
      const f = (await get<Detail>(`/devices/${id}`)).findings.find((x) => x.ruleId === 'tcc.camera.denied');
      return !f || f.state !== 'open' ? true : undefined;
    });
    const card = page.locator('.finding[data-finding-key^="tcc.camera.denied"]');
    const after = (await get<Detail>(`/devices/${id}`)).findings.find((x) => x.ruleId === 'tcc.camera.denied');
    if (after) {
      expect(after.state).toBe('awaiting-consent');
      await card.locator('.state-awaiting-consent').waitFor();
      expect(await card.locator('.state-awaiting-consent').textContent()).toBe('Fixed — waiting for the user to allow');
      // Shown as the state it is in: no red critical card, and the old evidence folded away as "before the fix".
      expect(await card.locator('.sev-critical').count()).toBe(0);
      expect(await card.getAttribute('class')).not.toContain('finding-critical');
      expect(await card.locator('details.stale-evidence summary').textContent()).toMatch(/^What was seen before the fix/);
      expect(await page.locator('.awaiting-title').textContent()).toBe('Fixed, waiting for the user');
    } else {
      await card.waitFor({ state: 'detached' });
    }
    expect(await fix.count()).toBe(0);
    // The recorded Mac last booted in September 2026, before this reset: the page asks for a restart.
    await page.locator('[data-testid="restarted-since-reset"]', { hasText: /^no: last boot .* is before the permission reset of .*; restart the Mac$/ }).waitFor();
    await page.locator('#commands .cmd[data-status="succeeded"]').waitFor();
    expect(await page.locator('#commands .cmd').count()).toBe(1);
    await context.close();
  }, 90_000);

  it('firewall fix: Allow in firewall runs socketfilterfw on the agent', async () => {
    const id = stack.devices[FIREWALL_MAC]!;
    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices/${id}`);
    const blocked = page.locator('table.fw-apps tbody tr.row-bad');
    expect(await blocked.locator('td').first().textContent()).toContain('zoom.us.app');
    await page.getByRole('button', { name: 'Fix: Allow in firewall…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('in the application firewall of mbp-m2pro-26');
    await dialog.getByRole('button', { name: 'Send to mbp-m2pro-26' }).click();
    await dialog.locator('.cmd[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitFor('Zoom allowed in the firewall list', async () => ((await blocked.count()) === 0 ? true : undefined));

    // Collect now: the agent reports again, and the command list shows it.
    const before = (await get<{ device: { lastReportAt: string } }>(`/devices/${id}`)).device.lastReportAt;
    await page.getByRole('button', { name: 'Collect now…' }).click();
    expect(await dialog.textContent()).toContain('Ask the agent on mbp-m2pro-26 to collect all facts again now.');
    await dialog.getByRole('button', { name: 'Send to mbp-m2pro-26' }).click();
    await dialog.locator('.cmd[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitFor('a newer report', async () => ((await get<{ device: { lastReportAt: string } }>(`/devices/${id}`)).device.lastReportAt > before ? true : undefined));
    await waitFor('both commands listed as succeeded', async () => ((await page.locator('#commands .cmd[data-status="succeeded"]').count()) === 2 ? true : undefined));
    // Resolved: no card any more; the History panel has it.
    await page.locator('#history li', { hasText: `${findingInfo('firewall.blocks-zoom').title}: open → resolved` }).waitFor();
    expect(await page.locator('.finding[data-finding-key^="firewall.blocks-zoom"]').count()).toBe(0);
    await context.close();
  }, 90_000);

  it('bulk fix: the dry run names the action and the Macs, Cancel is focused; an offline Mac\'s batch runs when it connects', async () => {
    const micId = stack.devices[MICROPHONE_MAC]!;
    const plan = await dryRun('tcc.microphone.denied');
    expect(plan.targets.map((t) => t.deviceId)).toContain(micId);
    const n = new Set(plan.targets.map((t) => t.deviceId)).size;
    const macsWord = `${n} Mac${n === 1 ? '' : 's'}`;

    // A viewer gets no bulk button.
    const asViewer = await signedIn(stack.tokens.viewer);
    await asViewer.page.goto(`${stack.url}/#/devices?finding=tcc.microphone.denied`);
    await asViewer.page.locator('table.devices tbody tr').first().waitFor();
    expect(await asViewer.page.getByRole('button', { name: /^Fix (all|this)/ }).count()).toBe(0);
    await asViewer.context.close();

    // The Mac goes offline first: its command waits in the queue, and the dialog shows it running.
    await stack.stopAgent(MICROPHONE_MAC);
    await waitFor('the microphone Mac offline', async () =>
      ((await get<{ devices: { id: string }[] }>('/devices?online=false')).devices.some((d) => d.id === micId) ? true : undefined));

    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices?finding=tcc.microphone.denied`);
    const fixAll = page.getByRole('button', { name: n === 1 ? 'Fix this Mac…' : `Fix all ${n} Macs…` });
    await fixAll.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.locator('.bulk-targets').waitFor();
    // The confirmation names how many Macs, which action and what it does, and each Mac.
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe(`Fix “Zoom is denied the microphone” on ${macsWord}?`);
    expect(await dialog.locator('.bulk-action').allTextContents()).toEqual([
      `Reset the Microphone permission (TCC) of us.zoom.xos on ${n === 1 ? plan.targets[0]!.hostname : macsWord}. macOS asks the user again the next time the app wants it.`,
    ]);
    expect(await dialog.locator('.bulk-targets strong').allTextContents()).toEqual(plan.targets.map((t) => t.hostname));
    expect(await dialog.locator('.bulk-targets').textContent()).toContain('mbp-m1pro-15-mic');
    expect(await dialog.locator('.bulk-skipped li').count()).toBe(new Set(plan.skipped.map((x) => x.reason)).size);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'bulk-fix.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await get<{ commands: unknown[] }>(`/devices/${micId}/commands`)).commands).toEqual([]);

    await fixAll.click();
    await dialog.getByRole('button', { name: `Send to ${macsWord}` }).click();
    // Running: the offline Mac's command is queued, nothing has a result yet.
    await dialog.locator('.batch[data-done="false"]').waitFor();
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe(`Fixing “Zoom is denied the microphone” on ${macsWord}`);
    expect(await dialog.locator('.batch .cmd-status').textContent()).toBe(`Running: ${n} pending of ${n}`);
    expect(await dialog.locator('.batch-progress').evaluate((el) => [(el as unknown as Progress).value, (el as unknown as Progress).max])).toEqual([0, n]);
    expect(await dialog.locator(`.batch-commands tr[data-command-id] .cmd-badge`).first().textContent()).toBe('Queued: waiting for the Mac to connect');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Close');

    // The Mac comes back: it gets the command, runs it, and the dialog ends with the counts.
    stack.startAgent(MICROPHONE_MAC);
    await dialog.locator('.batch[data-done="true"]').waitFor({ timeout: 90_000 });
    expect(await dialog.locator('.batch .cmd-status').textContent()).toBe(`Done: ${n} succeeded of ${n}`);
    expect(await dialog.locator('.batch-progress').evaluate((el) => (el as unknown as Progress).value)).toBe(n);
    expect(await dialog.locator('.batch-commands tbody th').allTextContents()).toEqual(plan.targets.map((t) => t.hostname));
    expect(await dialog.locator('.batch-commands tbody th a').first().getAttribute('href')).toBe(`#/devices/${plan.targets[0]!.deviceId}`);
    expect(await dialog.locator('.batch-next').textContent()).toContain('until they allow, the Mac shows “Fixed — waiting for the user to allow”');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The list reloads: the microphone finding waits for the user's consent, so no Mac has it open.
    await page.locator('.list-empty').waitFor();
    expect(await page.locator('.list-empty').textContent()).toBe('No Mac has “Zoom is denied the microphone” open right now.');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('bulk fix with nothing fixable: says why once per reason, names each Mac once, offers only Close', async () => {
    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices?finding=tcc.unreadable`);
    // The agents keep reporting (the microphone Mac was just restarted): the list's button and a dry
    // run are two reads of a changing fleet, compared once they agree (run 4 of 12-06 waited 30 s for
    // the count of a dry run made before the list loaded).
    const fixAll = page.getByRole('button', { name: /^Fix (all \d+\+? Macs|this Mac)…$/ });
    let plan!: Plan;
    let hosts: string[] = [];
    await explained(page, () => expect.poll(async () => {
      plan = await dryRun('tcc.unreadable');
      hosts = [...new Set(plan.skipped.map((x) => x.hostname))];
      return { button: await fixAll.textContent({ timeout: 5_000 }).catch(() => null), dryRun: `Fix all ${hosts.length} Macs…` };
    }, { timeout: 30_000 }).toSatisfy((x: { button: string | null; dryRun: string }) => x.button === x.dryRun));
    expect(plan.targets).toEqual([]);
    // One cause, one finding per Mac (however many TCC.db it could not read): each Mac is skipped once.
    expect(plan.skipped.length).toBe(hosts.length);
    await fixAll.click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('.bulk-skipped').waitFor();
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe('Nothing to fix automatically: “Privacy permissions could not be read”');
    const reasons = [...new Set(plan.skipped.map((x) => x.reason))];
    expect(await dialog.locator('.bulk-skipped li').count()).toBe(reasons.length);
    expect((await dialog.locator('.bulk-skipped strong').allTextContents()).sort()).toEqual(hosts.sort());
    expect(await dialog.locator('.bulk-skipped li').first().textContent()).toContain('Full Disk Access');
    expect(await dialog.getByRole('button').allTextContents()).toEqual(['Close']);
    // Another list (Back, or a link) closes the dialog: its dry run was for this one.
    await page.evaluate('location.hash = "#/devices?finding=zoom.outdated"');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Zoom is older than the minimum version', level: 1 }).waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('reads at 390 px: no sideways scrolling on the overview, the list and every device page', async () => {
    const { context, page } = await signedIn(stack.tokens.operator, 390, 844);
    const overflow = () => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
    expect(await overflow()).toBeLessThanOrEqual(390);
    await page.goto(`${stack.url}/#/devices`);
    await page.locator('table.devices tbody tr').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(390);
    for (const mac of MACS) {
      await page.goto(`${stack.url}/#/devices/${stack.devices[mac]}`);
      await page.getByRole('heading', { name: 'USB devices and power' }).waitFor();
      expect(await overflow(), mac).toBeLessThanOrEqual(390);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('overview after the fixes: the trend shows fewer Macs that cannot join', async () => {
    await sampleFleet();
    const samples = (await get<{ samples: Sample[] }>('/fleet/trend?hours=168')).samples.filter((x) => x.total > 0);
    const [first, last] = [samples[0]!, samples[samples.length - 1]!];
    // Camera, microphone and firewall were fixed above: fewer than at the worst point (the first samples come as Macs arrive).
    expect(last.cannotJoin).toBeLessThan(Math.max(...samples.map((x) => x.cannotJoin)));
    const { context, page } = await signedIn(stack.tokens.viewer);
    await page.locator('#trend .trend-text').waitFor();
    expect(await page.locator('#trend .trend-text').textContent())
      .toMatch(new RegExp(`^Cannot join: ${first.cannotJoin} → ${last.cannotJoin}; at risk: ${first.atRisk} → ${last.atRisk}; ready for calls: ${first.ready} → ${last.ready}, over \\d+ (minute|hour)s?\\.$`));
    await page.locator('.worst li').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
