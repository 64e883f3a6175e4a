import type { PowerFacts } from '@fleetmedic/protocol';
import { failed, parsed, readSource, type ParseResult } from '../result.js';
import { parsePmsetAdapter, parsePmsetBatt, type PmsetAdapter, type PmsetBatt } from './pmset.js';
import { parseSpPowerJson, type SpPower } from './sp-power.js';

/** Raw outputs for parsePower; undefined = not read. */
export interface PowerOutputs {
  /** `pmset -g batt` stdout. */
  pmsetBatt?: string;
  /** `pmset -g adapter` stdout. */
  pmsetAdapter?: string;
  /** `system_profiler -json SPPowerDataType` stdout. */
  spPowerJson?: string;
}

const read = readSource;

function spState(sp: SpPower): string | null {
  const bat = sp.battery;
  if (!bat) return null;
  if (bat.charging) return 'charging';
  if (bat.fullyCharged && sp.charger?.connected) return 'charged';
  if (sp.charger?.connected === true) return 'AC attached; not charging';
  if (sp.charger?.connected === false || sp.currentSource === 'battery') return 'discharging';
  return null;
}

/**
 * pmset and SPPowerDataType outputs -> PowerFacts. pmset is read first (live, cheap); SPPowerDataType fills what pmset
 * lacks (adapter name and watts when `pmset -g adapter` was not read, battery facts). Disagreements are problems.
 * Fails only when no input could be read.
 */
export function parsePower(outputs: PowerOutputs): ParseResult<PowerFacts> {
  const problems: string[] = [];
  const batt: PmsetBatt | null = read('pmset -g batt', outputs.pmsetBatt, parsePmsetBatt, problems);
  const adapter: PmsetAdapter | null = read('pmset -g adapter', outputs.pmsetAdapter, parsePmsetAdapter, problems);
  const sp: SpPower | null = read('SPPowerDataType', outputs.spPowerJson, parseSpPowerJson, problems);
  if (!batt && !adapter && !sp) return failed('no power source output could be read', problems);

  const internal = batt?.batteries.find((x) => x.kind === 'internal') ?? null;
  const spSource = sp?.currentSource ?? (sp?.charger?.connected === true ? 'ac' : sp?.charger?.connected === false ? 'battery' : null);
  const source: PowerFacts['source'] = batt && batt.source !== 'unknown' ? batt.source : spSource ?? 'unknown';
  if (batt && spSource && batt.source !== 'unknown' && batt.source !== 'ups' && batt.source !== spSource) {
    problems.push(`pmset says ${batt.source}, SPPowerDataType says ${spSource}: kept pmset`);
  }

  const adapterConnected = adapter ? adapter.attached : sp?.charger?.connected ?? null;
  const facts: PowerFacts = {
    source,
    adapterConnected,
    adapterWatts: adapter?.watts ?? sp?.charger?.watts ?? null,
    adapterName: adapter?.name ?? sp?.charger?.name ?? null,
    // A desktop prints only "Now drawing from 'AC Power'": no battery row means no battery.
    batteryPresent: batt ? internal !== null : sp ? sp.battery !== null && sp.battery.installed !== false : null,
    batteryPercent: internal?.percent ?? sp?.battery?.percent ?? null,
    batteryState: internal?.state ?? (sp ? spState(sp) : null),
  };
  if (adapter && !adapter.attached && source === 'ac' && internal) problems.push('pmset reports AC power but no adapter attached');
  return parsed(facts, problems);
}
