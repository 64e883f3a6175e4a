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
