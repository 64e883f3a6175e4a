/** Thrown for a bad FLEETMEDIC_DEMO_MACS; the message says what is wrong and what to choose from. */
export class DemoMacsError extends Error {
  override name = 'DemoMacsError';
}

/**
 * The recorded Macs the demo runs: FLEETMEDIC_DEMO_MACS (`value`, comma-separated folder names of
 * recorded-macs/, spaces around names ignored), or all of `recorded` when unset or empty.
 * Throws DemoMacsError for a value naming no Mac (e.g. ","), an unknown name, or a repeated one
 * (two agents would share one state folder and one device).
 */
export function selectDemoMacs(value: string | undefined, recorded: string[]): string[] {
  if (value === undefined || value.trim() === '') return recorded;
  const choose = `(choose from: ${recorded.join(', ')})`;
  const wanted = value.split(',').map((m) => m.trim()).filter(Boolean);
  if (wanted.length === 0) throw new DemoMacsError(`FLEETMEDIC_DEMO_MACS=${JSON.stringify(value)} names no Mac; unset it to run all ${choose}`);
  const unknown = [...new Set(wanted.filter((m) => !recorded.includes(m)))];
  if (unknown.length > 0) throw new DemoMacsError(`FLEETMEDIC_DEMO_MACS: not recorded Macs: ${unknown.join(', ')} ${choose}`);
  const repeated = [...new Set(wanted.filter((m, i) => wanted.indexOf(m) !== i))];
  if (repeated.length > 0) throw new DemoMacsError(`FLEETMEDIC_DEMO_MACS: repeated: ${repeated.join(', ')} (each recorded Mac can run once)`);
  return wanted;
}
