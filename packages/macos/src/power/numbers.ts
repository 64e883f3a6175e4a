/**
 * A number as macOS prints it in power output: "45", "-2169", "94W", "4690mA", "100%", "1,5" (decimal comma on
 * non-English systems), "1 234" (space or NBSP thousands separator). The unit suffix is ignored. null when no number.
 */
export function parseLocaleNumber(text: string): number | null {
  const m = /^\s*([-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+|[-+]?\d+)(?:[.,](\d+))?/.exec(text);
  if (!m?.[1]) return null;
  const n = Number(`${m[1].replace(/[ \u00a0\u202f]/g, '')}${m[2] ? `.${m[2]}` : ''}`);
  return Number.isFinite(n) ? n : null;
}

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

/**
 * ioreg prints negative 64-bit values as unsigned ("Amperage" = 18446744073709550538 is -1078): decimal digits -> signed number.
 * null when not a decimal integer.
 */
export function unsigned64ToSigned(digits: string): number | null {
  if (!/^-?\d+$/.test(digits)) return null;
  let v = BigInt(digits);
  if (v >= TWO_63 && v < TWO_64) v -= TWO_64;
  return Number(v);
}
