/** p-th percentile (0-100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
export const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MB`;
export const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

/** A benchmark figure and, when it has a target, whether it met it and by how much it missed. */
export interface Figure {
  name: string;
  value: string;
  target?: string;
  /** true met, false missed, undefined no target */
  met?: boolean;
  /** e.g. "missed by 1,200 ms (48 % over)" */
  miss?: string;
}

/** Checks `value` against `target` ('<' means lower is better); the miss in the figure's unit and as a percentage. */
export function check(value: number, op: '<' | '>=', target: number, unit: string, digits = 0): Pick<Figure, 'met' | 'miss' | 'target'> {
  const met = op === '<' ? value < target : value >= target;
  const t = `${op} ${fmt(target, digits)} ${unit}`.trim();
  if (!Number.isFinite(value)) return { target: t, met: false, miss: 'not measured' };
  if (met) return { target: t, met };
  const by = Math.abs(value - target);
  return { target: t, met, miss: `missed by ${fmt(by, digits)} ${unit} (${fmt((100 * by) / target, 0)} % ${op === '<' ? 'over' : 'under'})` };
}

/** The figures as an aligned table. */
export function table(figures: Figure[]): string {
  const w = Math.max(...figures.map((f) => f.name.length));
  const v = Math.max(...figures.map((f) => f.value.length));
  return figures.map((f) => {
    const verdict = f.met === undefined ? '' : f.met ? `  ok (target ${f.target})` : `  MISSED (target ${f.target}): ${f.miss}`;
    return `${f.name.padEnd(w)}  ${f.value.padStart(v)}${verdict}`;
  }).join('\n');
}
