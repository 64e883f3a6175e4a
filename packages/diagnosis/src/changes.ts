import { walkUsb } from '@fleetmedic/macos';
import type { FirewallFacts, OsFacts, SoftwareUpdateFacts, TccFacts, UsbFacts, ZoomFacts } from '@fleetmedic/protocol';

/** A section as stored: its status and, when read, its data (the shape of its facts; checked loosely here). */
export interface SectionBody {
  status?: string;
  data?: unknown;
}

type Describer = (before: unknown, after: unknown) => string[];

const str = (v: unknown): string => (v == null ? 'none' : String(v));

const os: Describer = (b, a) => {
  const [x, y] = [b as OsFacts, a as OsFacts];
  if (x.productVersion !== y.productVersion) return [`macOS ${str(x.productVersion)} → ${str(y.productVersion)}`];
  if (x.buildVersion !== y.buildVersion || x.productVersionExtra !== y.productVersionExtra) {
    return [`macOS ${str(y.productVersion)} build ${str(x.buildVersion)} → ${str(y.buildVersion)}`];
  }
  return [];
};

const zoom: Describer = (b, a) => {
  const [x, y] = [b as ZoomFacts, a as ZoomFacts];
  if (x.installed !== y.installed) return [y.installed ? 'Zoom installed' : 'Zoom removed'];
  const version = (z: ZoomFacts) => z.shortVersion ?? z.version ?? z.bundleVersion;
  return version(x) !== version(y) ? [`Zoom ${str(version(x))} → ${str(version(y))}`] : [];
};

/** Zoom's rows (any client whose bundle id starts with us.zoom) and the TCC.db statuses, per scope: user names and paths differ from Mac to Mac. */
function tccView(facts: TccFacts): Map<string, string> {
  const view = new Map<string, string>();
  for (const db of facts.databases ?? []) {
    view.set(`${db.scope} TCC.db`, db.status);
    for (const e of db.entries ?? []) {
      if (e.client?.startsWith('us.zoom')) view.set(`${e.service} for ${e.client} (${db.scope} TCC.db)`, e.authValueName);
    }
  }
  return view;
}

const tcc: Describer = (b, a) => {
  const [x, y] = [tccView(b as TccFacts), tccView(a as TccFacts)];
  return [...new Set([...x.keys(), ...y.keys()])].sort()
    .filter((k) => x.get(k) !== y.get(k))
    .map((k) => `${k}: ${x.get(k) ?? 'no row'} → ${y.get(k) ?? 'no row'}`);
};

const firewall: Describer = (b, a) => {
  const [x, y] = [b as FirewallFacts, a as FirewallFacts];
  const out: string[] = [];
  if (x.globalState !== y.globalState) out.push(`firewall global state ${str(x.globalState)} → ${str(y.globalState)}`);
  if (x.blockAll !== y.blockAll) out.push(`firewall block all ${str(x.blockAll)} → ${str(y.blockAll)}`);
  if (x.stealthMode !== y.stealthMode) out.push(`firewall stealth mode ${str(x.stealthMode)} → ${str(y.stealthMode)}`);
  const zoomApp = (f: FirewallFacts) => f.apps?.find((app) => /zoom\.us\.app|us\.zoom/i.test(`${app.path ?? ''} ${app.name ?? ''}`));
  const words = (f: FirewallFacts) => {
    const app = zoomApp(f);
    return !app ? 'not listed' : app.allowIncoming === true ? 'allowed' : app.allowIncoming === false ? 'blocked' : 'unknown';
  };
  if (words(x) !== words(y)) out.push(`Zoom in the firewall: ${words(x)} → ${words(y)}`);
  return out;
};

const usb: Describer = (b, a) => {
  const names = (f: UsbFacts) => new Set([...walkUsb(f)].filter((e) => e.device.kind !== 'hub').map((e) => e.device.name.trim()));
  const [x, y] = [names(b as UsbFacts), names(a as UsbFacts)];
  return [
    ...[...y].filter((n) => !x.has(n)).sort().map((n) => `USB device connected: ${n}`),
    ...[...x].filter((n) => !y.has(n)).sort().map((n) => `USB device disconnected: ${n}`),
  ];
};

// A laptop's charge changes every report and its source (adapter or battery) many times a day:
// neither tells why a call broke, and both would top every ranking. Power says nothing.
const power: Describer = () => [];

// The list's age (cacheAgeSeconds, sent by earlier agents) grows at every report and its checkedAt moves once a day: neither
// is a change on the Mac. Updates that came or went, and a restart, are.
const softwareUpdate: Describer = (b, a) => {
  const [x, y] = [b as SoftwareUpdateFacts, a as SoftwareUpdateFacts];
  const out: string[] = [];
  if (x.updates && y.updates) {
    const [was, now] = [new Set(x.updates.map((u) => u.label)), new Set(y.updates.map((u) => u.label))];
    out.push(...[...now].filter((l) => !was.has(l)).sort().map((l) => `update pending: ${l}`));
    out.push(...[...was].filter((l) => !now.has(l)).sort().map((l) => `update no longer pending: ${l}`));
  }
  if (x.lastBootAt && y.lastBootAt && x.lastBootAt !== y.lastBootAt) out.push('Mac restarted');
  return out;
};

const DESCRIBERS: Record<string, Describer> = { os, zoom, tcc, firewall, usb, power, softwareUpdate };

/**
 * What changed in one section between two reports of one Mac, as statements that read the same on
 * every Mac that made the same change ("macOS 15.2 → 15.3", "kTCCServiceCamera for us.zoom.xos
 * (user TCC.db): allowed → denied"), so a fleet can count them. A status change ("tcc could be read
 * → could not") is a statement of its own; a section without a describer (one added later) says
 * "<section> facts changed". Changes that tell nothing about calls (power: charge and source; the
 * age of the software update list) give none. Never
 * throws: a body it cannot read gives "<section> facts changed".
 */
export function describeSectionChange(section: string, before: SectionBody, after: SectionBody): string[] {
  const readable = (s: SectionBody) => (s.status === 'ok' || s.status === 'partial') && s.data != null;
  if (before.status !== after.status && (!readable(before) || !readable(after))) {
    return [`${section} ${readable(before) ? 'could be read' : `was ${str(before.status)}`} → ${readable(after) ? 'could be read' : str(after.status)}`];
  }
  if (!readable(before) || !readable(after)) return [];
  const describe = DESCRIBERS[section];
  if (!describe) return [`${section} facts changed`];
  try {
    return describe(before.data, after.data);
  } catch {
    return [`${section} facts changed`];
  }
}
