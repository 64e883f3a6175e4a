import { failed, parsed, refuseOversized, type ParseResult } from '../result.js';

/** Largest `pmset -g batt` / `pmset -g adapter` output parsed, characters (real ones are under 1,000). */
export const PMSET_MAX_CHARS = 64 * 1024;
import { parseLocaleNumber } from '../numbers.js';

/** One row of `pmset -g batt`: the internal battery or a UPS. */
export interface PmsetBattery {
  /** "InternalBattery-0", "UPS CP600". */
  name: string;
  kind: 'internal' | 'ups' | 'other';
  /** "(id=23003235)"; absent on older macOS. */
  id: string | null;
  /** State of charge, %. */
  percent: number | null;
  /** charging | discharging | charged | finishing charge | "AC attached; not charging" (as printed). */
  state: string | null;
  /** Time to empty/full in minutes ("3:47 remaining" -> 227); null for "(no estimate)" or none printed. */
  remainingMinutes: number | null;
  present: boolean | null;
}

/** `pmset -g batt` / `pmset -g ps`. */
export interface PmsetBatt {
  /** From "Now drawing from 'AC Power'|'Battery Power'|'UPS Power'". */
  source: 'ac' | 'battery' | 'ups' | 'unknown';
  /** Empty on desktops, which print only the first line. */
  batteries: PmsetBattery[];
}

const DRAWING = /Now drawing from '([^']*)'/;
// " -InternalBattery-0 (id=23003235)\t80%; AC attached; not charging present: true", " -UPS CP600\t100%; charging present: true"
const ROW = /^[#\s]*-(.+?)(?:\s+\(id=(\d+)\))?\s+(\d+(?:[.,]\d+)?)%;?(.*)$/;

function sourceOf(name: string): PmsetBatt['source'] {
  if (/^AC Power$/i.test(name)) return 'ac';
  if (/^Battery Power$/i.test(name)) return 'battery';
  if (/^UPS Power$/i.test(name)) return 'ups';
  return 'unknown';
}

function row(m: RegExpExecArray): PmsetBattery {
  const name = (m[1] ?? '').trim();
  let rest = m[4] ?? '';
  const presentM = /\s*present: (true|false)\s*$/.exec(rest);
  if (presentM) rest = rest.slice(0, presentM.index);
  let remainingMinutes: number | null = null;
  const state: string[] = [];
  for (const part of rest.split(';').map((p) => p.trim()).filter(Boolean)) {
    const t = /^(\d+):(\d{2}) remaining$/.exec(part);
    if (t) remainingMinutes = Number(t[1]) * 60 + Number(t[2]);
    else if (!/^\(no estimate\)$/.test(part)) state.push(part);
  }
  return {
    name,
    kind: /^InternalBattery/i.test(name) ? 'internal' : /^UPS\b/i.test(name) ? 'ups' : 'other',
    id: m[2] ?? null,
    percent: parseLocaleNumber(m[3] ?? ''),
    state: state.length > 0 ? state.join('; ') : null,
    remainingMinutes,
    present: presentM ? presentM[1] === 'true' : null,
  };
}

/**
 * `pmset -g batt` (or `-g ps`) stdout -> PmsetBatt. Lines around it (prompts, sw_vers, dates) are ignored.
 * Several "Now drawing from" blocks (several captures pasted together): the first is read, with a problem.
 */
export function parsePmsetBatt(stdout: string): ParseResult<PmsetBatt> {
  const oversized = refuseOversized(stdout, PMSET_MAX_CHARS, 'pmset -g batt output');
  if (oversized) return oversized;
  const problems: string[] = [];
  let result: PmsetBatt | null = null;
  let blocks = 0;
  for (const line of stdout.split(/\r?\n/)) {
    const d = DRAWING.exec(line);
    if (d) {
      blocks++;
      if (blocks === 1) {
        result = { source: sourceOf(d[1] ?? ''), batteries: [] };
        if (result.source === 'unknown') problems.push(`power source "${d[1]}" not recognised`);
      }
      continue;
    }
    const m = ROW.exec(line);
    if (m && result && blocks === 1) result.batteries.push(row(m));
  }
  if (!result) return failed(stdout.trim() === '' ? 'empty pmset -g batt output' : "no \"Now drawing from '…'\" line in pmset output");
  if (blocks > 1) problems.push(`${blocks} "Now drawing from" blocks (several captures?): read the first`);
  return parsed(result, problems);
}

/** `pmset -g adapter` (same as `-g ac`). Third-party chargers print only watts, current, voltage, id and family. */
export interface PmsetAdapter {
  /** false for "No adapter attached." */
  attached: boolean;
  /** Rated wattage, W ("Wattage = 94W"; can differ from the name: 94 W for a "96W" adapter). */
  watts: number | null;
  currentMa: number | null;
  voltageMv: number | null;
  adapterId: string | null;
  manufacturer: string | null;
  familyCode: string | null;
  serial: string | null;
  name: string | null;
  hardwareVersion: string | null;
  firmwareVersion: string | null;
}

const ADAPTER_KEYS: Record<string, keyof PmsetAdapter> = {
  Wattage: 'watts', Current: 'currentMa', Voltage: 'voltageMv', AdapterID: 'adapterId', Manufacturer: 'manufacturer',
  'Family Code': 'familyCode', 'Serial String': 'serial', 'Adapter Name': 'name', 'Hardware Version': 'hardwareVersion', 'Firmware Version': 'firmwareVersion',
};
const NUMERIC = new Set<keyof PmsetAdapter>(['watts', 'currentMa', 'voltageMv']);
const KV = /^\s*(Wattage|Current|Voltage|AdapterID|Manufacturer|Family Code|Serial String|Adapter Name|Hardware Version|Firmware Version)\s*=\s*(.*?)\s*$/;

const noAdapter = (): PmsetAdapter => ({
  attached: false, watts: null, currentMa: null, voltageMv: null, adapterId: null, manufacturer: null,
  familyCode: null, serial: null, name: null, hardwareVersion: null, firmwareVersion: null,
});

/**
 * `pmset -g adapter` stdout -> PmsetAdapter. "No adapter attached." -> attached false. A repeated key starts another
 * adapter block (several captures pasted together): the first block is read, with a problem. Two outputs pasted side by
 * side in columns: the left column is read, with a problem.
 */
export function parsePmsetAdapter(stdout: string): ParseResult<PmsetAdapter> {
  const oversized = refuseOversized(stdout, PMSET_MAX_CHARS, 'pmset -g adapter output');
  if (oversized) return oversized;
  const problems: string[] = [];
  const blocks: PmsetAdapter[] = [];
  let current: PmsetAdapter | null = null;
  let sideBySide = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (/No adapter attached/i.test(line)) {
      blocks.push(noAdapter());
      current = null;
      continue;
    }
    const m = KV.exec(line);
    if (!m) continue;
    const field = ADAPTER_KEYS[m[1] ?? ''];
    if (!field) continue;
    let value = m[2] ?? '';
    const column = /\s{3,}\S.*=/.exec(value);
    if (column) {
      sideBySide = true;
      value = value.slice(0, column.index);
    }
    if (!current || current[field] !== null) {
      current = { ...noAdapter(), attached: true };
      blocks.push(current);
    }
    if (NUMERIC.has(field)) {
      const n = parseLocaleNumber(value);
      if (n === null) problems.push(`${m[1]} "${value}" is not a number`);
      (current as unknown as Record<string, unknown>)[field] = n;
    } else {
      (current as unknown as Record<string, unknown>)[field] = value === '' ? null : value;
    }
  }
  const [first] = blocks;
  if (!first) return failed(stdout.trim() === '' ? 'empty pmset -g adapter output' : 'no adapter line in pmset -g adapter output');
  if (blocks.length > 1) problems.push(`${blocks.length} adapter outputs in one capture: read the first`);
  if (sideBySide) problems.push('two outputs pasted side by side: read the left column');
  if (first.attached && first.watts === null) problems.push('no Wattage line');
  return parsed(first, problems);
}
