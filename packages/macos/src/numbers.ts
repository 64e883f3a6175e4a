/**
 * Numbers as macOS prints them in system_profiler, pmset and ioreg output, in any number locale,
 * and ioreg's unsigned printing of negative 64-bit values.
 * One rule for every parser (it was two: "1,500" read 1500 in USB values and 1.5 in power ones).
 * Sources: the Polish-locale SPUSBDataType captures ("3,91 GB", "3 909 091 328 bytes"),
 * pmset and SPPowerDataType ("94W", "4690mA", "100%", "-2169"); docs/macos-sources.md.
 */

/** Text longer than this is cut before matching (real values are < 80 characters): bounds regex time. */
const MAX_TEXT = 200;

// Spaces macOS puts between digit groups: space, no-break space (U+00A0), narrow no-break space
// (U+202F); never a line break, so "45\n100" is 45, not 45100.
const LEADING_NUMBER = /^\s*([+-]?\d[\d \t\u00a0\u202f.,]*)/;
const GROUP_SPACES = /(\d)[ \t\u00a0\u202f]+(?=\d{3}(?!\d))/g;
const FROM_SPACE = /\s.*$/;
/** English grouping: 1–3 digits not starting with 0, then comma groups of exactly three. */
const COMMA_GROUPED = /^[+-]?[1-9]\d{0,2}(,\d{3})+$/;

/**
 * The number a value starts with, unit or anything after it ignored: "500", " 1.84", "-2169",
 * "94W", "4690mA", "100%", "0,52", "1 500", "1\u00a0234,5", "2.5 W", "1.234,5", "500,107,862,016".
 * Separators: spaces between digit groups are thousands separators; with both "." and "," the
 * later one is the decimal separator; a lone comma is a thousands separator only in the English
 * grouping shape (1–3 digits not starting with 0, then groups of exactly three: "1,500" is 1500,
 * "0,500" and "1,5" are decimals). No capture shows that ambiguous shape; English grouping wins
 * because the fields read this way (mA, mV, W, bytes) are whole numbers, where three decimals
 * would be nonsense. Dots alone are decimal points ("1.234" is 1.234; "1.234.567" is null).
 * null when the text does not start with a number (never throws).
 */
export function parseLocaleNumber(text: string | null | undefined): number | null {
  if (text == null) return null;
  const m = LEADING_NUMBER.exec(String(text).slice(0, MAX_TEXT));
  if (!m) return null;
  let s = m[1]!.trim().replace(GROUP_SPACES, '$1');
  s = s.replace(FROM_SPACE, '');
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    s = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (lastComma >= 0) {
    s = COMMA_GROUPED.test(s) ? s.replace(/,/g, '') : s.replace(/,/g, '.');
  }
  s = s.replace(/[.,]+$/, '');
  const n = Number(s);
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
