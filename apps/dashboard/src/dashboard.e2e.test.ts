import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RECORDED_MACS, startStack, waitFor, type Stack } from './testing/stack.js';

/**
 * The dashboard in Debian's Chromium against the real server (buildApp, PGlite in memory) with a
 * real agent process per recorded Mac. Builds the page first (vite build -> apps/dashboard/dist).
 * Takes overview.png and device.png: into docs/screenshots with FLEETMEDIC_SCREENSHOTS=1 (to
 * refresh the README's pictures), otherwise into a temporary folder, so a test run leaves the
 * checkout unchanged.
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

interface Summary { total: number; healthy: number; problems: number; unknown: number; offline: number; findings: { id: string; devices: number }[] }
interface Detail { device: { hostname: string }; findings: { ruleId: string; title: string; state: string; remedy: { action?: unknown } }[] }

let stack: Stack;
let browser: Browser;
const pageErrors: string[] = [];
const logs: string[] = [];

const get = async <T>(url: string, token = stack.tokens.admin): Promise<T> => {
  const res = await fetch(`${stack.apiUrl}/api/v1${url}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** A page of a fresh context (its own sessionStorage), signed in with `token` through the form. */
async function signedIn(token: string, width = 1366, height = 900): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${stack.url}/`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
  return { context, page };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await build({ configFile: path.join(REPO_ROOT, 'apps/dashboard/vite.config.ts'), logLevel: 'warn' });
  stack = await startStack(MACS, (line) => logs.push(line));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard against the real server and agents', () => {
  it('refuses a wrong token with a reason, and keeps the good one for the tab only', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Admin token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('does not accept this token');
    await page.getByLabel('Admin token').fill(stack.tokens.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("fleetmedic.adminToken")')).toBe(stack.tokens.operator);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Can every Mac join a call?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("fleetmedic.adminToken")')).toBeNull();
    await context.close();
  }, 60_000);

  it('overview: counts and reasons match the API, each reason links to its filtered device list', async () => {
    const summary = await get<Summary>('/fleet/summary');
    expect(summary.total).toBe(MACS.length);
    const { context, page } = await signedIn(stack.tokens.operator);
    const tile = (label: string) => page.locator('.tile', { hasText: label }).locator('.tile-value').textContent();
    expect(await tile('Ready for calls')).toBe(String(summary.healthy));
    expect(await tile('Cannot join or at risk')).toBe(String(summary.problems));
    expect(await tile('Offline')).toBe(String(summary.offline));
    const reasons = page.locator('.problems li');
    expect(await reasons.count()).toBe(summary.findings.filter((f) => f.devices > 0).length);
    // Critical reasons come first.
    expect(await reasons.first().locator('.badge').textContent()).toBe('critical');
    // The Macs with the most problems say why, in the finding titles.
    const firstWorst = page.locator('.worst li').first();
    await firstWorst.waitFor();
    const worstHost = await firstWorst.locator('a').textContent();
    const worstDetail = await get<Detail>(`/devices/${(await get<{ devices: { id: string; hostname: string }[] }>('/devices?limit=500')).devices.find((d) => d.hostname === worstHost)!.id}`);
    // One title per finding id (tcc.unreadable can be open once per TCC.db).
    expect((await firstWorst.locator('.worst-findings').textContent())!.split(' · ').sort())
      .toEqual([...new Set(worstDetail.findings.filter((f) => f.state === 'open').map((f) => f.title))].sort());
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png'), fullPage: true });

    await page.getByRole('link', { name: /Zoom is denied the camera/ }).click();
    await page.getByRole('heading', { name: 'Zoom is denied the camera' }).waitFor();
    const camera = await get<{ devices: { hostname: string }[] }>('/devices?finding=tcc.camera.denied');
    await waitFor('filtered rows', async () => ((await page.locator('table.devices tbody tr').count()) === camera.devices.length ? true : undefined));
    expect(await page.locator('table.devices tbody th').allTextContents()).toEqual(camera.devices.map((d) => d.hostname));
    expect(page.url()).toContain('#/devices?finding=tcc.camera.denied');
    await context.close();
  }, 60_000);

  it('device list: search and health filter go to the server and into the URL', async () => {
    const { context, page } = await signedIn(stack.tokens.viewer);
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.locator('table.devices tbody tr').first().waitFor();
    expect(await page.locator('table.devices tbody tr').count()).toBe(MACS.length);
    await page.getByLabel('Search').fill('m2pro');
    await waitFor('search result', async () => ((await page.locator('table.devices tbody tr').count()) === 1 ? true : undefined));
    expect(await page.locator('table.devices tbody th').textContent()).toBe('mbp-m2pro-26');
    expect(page.url()).toContain('search=m2pro');
    await page.getByRole('link', { name: 'Clear filters' }).click();
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
    await page.goto(`${stack.url}/#/devices`);
    await page.getByLabel('Health').selectOption('healthy');
    const healthy = await get<{ devices: { hostname: string }[] }>('/devices?health=healthy&sort=-openFindings');
    await waitFor('healthy rows', async () => ((await page.locator('table.devices tbody tr').count()) === healthy.devices.length ? true : undefined));
    expect(await page.locator('table.devices tbody .badge').allTextContents()).toEqual(healthy.devices.map(() => 'Ready for calls'));
    await context.close();
  }, 60_000);

  it('every device page renders its findings as the API has them, without page errors', async () => {
    const { context, page } = await signedIn(stack.tokens.viewer);
    for (const mac of MACS) {
      const id = stack.devices[mac]!;
      const detail = await get<Detail>(`/devices/${id}`);
      await page.goto(`${stack.url}/#/devices/${id}`);
      await page.getByRole('heading', { name: detail.device.hostname, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'USB devices and power' }).waitFor();
      const titles = await page.locator('.findings .finding h3').allTextContents();
      expect(titles.sort(), mac).toEqual(detail.findings.filter((f) => f.state !== 'resolved').map((f) => f.title).sort());
      // A viewer sees no Fix or Collect buttons.
      expect(await page.getByRole('button', { name: /^Fix:|Collect now/ }).count(), mac).toBe(0);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('device page: TCC, firewall and USB facts; Fix names the Mac, runs on the agent, shows status and output live', async () => {
    const id = stack.devices[CAMERA_MAC]!;
    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices/${id}`);
    await page.getByRole('heading', { name: 'mba-m2-14', level: 1 }).waitFor();
    const zoomCamera = page.locator('table.tcc tbody tr', { hasText: 'us.zoom.xos' }).filter({ hasText: 'Camera' });
    expect(await zoomCamera.locator('.decision').textContent()).toBe('denied');
    expect(await zoomCamera.getAttribute('class')).toContain('row-bad');
    expect(await page.locator('#firewall dd').first().textContent()).toBe('On');
    expect(await page.locator('.usb-node').count()).toBeGreaterThan(0);
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
    } else {
      await card.waitFor({ state: 'detached' });
    }
    expect(await fix.count()).toBe(0);
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
    await context.close();
  }, 90_000);

  it('bulk fix: Fix all on a finding-filtered list names the Macs, Cancel is focused, the batch ends live', async () => {
    const micId = stack.devices[MICROPHONE_MAC]!;
    const plan = await (await fetch(`${stack.apiUrl}/api/v1/remediations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ findingId: 'tcc.microphone.denied', dryRun: true, filter: { finding: 'tcc.microphone.denied' } }),
    })).json() as { targets: { deviceId: string; hostname: string }[]; skipped: { hostname: string; reason: string }[] };
    expect(plan.targets.map((t) => t.deviceId)).toContain(micId);

    // A viewer gets no bulk button.
    const asViewer = await signedIn(stack.tokens.viewer);
    await asViewer.page.goto(`${stack.url}/#/devices?finding=tcc.microphone.denied`);
    await asViewer.page.locator('table.devices tbody tr').first().waitFor();
    expect(await asViewer.page.getByRole('button', { name: /^Fix all/ }).count()).toBe(0);
    await asViewer.context.close();

    const { context, page } = await signedIn(stack.tokens.operator);
    await page.goto(`${stack.url}/#/devices?finding=tcc.microphone.denied`);
    const fixAll = page.getByRole('button', { name: /^Fix all \d+\+?…$/ });
    await fixAll.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.locator('.bulk-targets').waitFor();
    expect(await dialog.locator('.bulk-targets strong').allTextContents()).toEqual(plan.targets.map((t) => t.hostname));
    expect(await dialog.locator('.bulk-targets').textContent()).toContain('mbp-m1pro-15-mic');
    expect(await dialog.locator('.bulk-skipped li').count()).toBe(plan.skipped.length);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await get<{ commands: unknown[] }>(`/devices/${micId}/commands`)).commands).toEqual([]);

    await fixAll.click();
    await dialog.getByRole('button', { name: /^Send to \d+ Macs?$/ }).click();
    await dialog.locator('.batch[data-done="true"]').waitFor({ timeout: 30_000 });
    const n = plan.targets.length;
    expect(await dialog.locator('.batch .cmd-status').textContent()).toBe(`Done: ${n} succeeded of ${n}`);
    expect(await dialog.locator('.batch-commands tbody th').allTextContents()).toEqual(plan.targets.map((t) => t.hostname));
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Close');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

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
});
