import v8 from 'node:v8';

/**
 * Bounds how far V8's heap grows between full collections: to (100 + `percent`) % of what the
 * last one kept. V8's own rule let each instance of the 20,000-Mac benchmark keep 106–193 MB
 * after every full collection yet grow to 400–770 MB in between, and that garbage was most of
 * its RSS (peak 2,023–2,077 MB for two instances; 1,410 MB at 100 %, 1,256 MB at 50 %:
 * docs/performance.md, issue 14). Memory then follows what the server holds (read budget,
 * batches in flight), not how much garbage V8 lets pile up; the cost is more, smaller full
 * collections (server CPU per 1,000 changed reports 1.66–1.80 s with V8's rule, 1.83 at 100 %,
 * 2.15 at 50 %). `percent` 0 leaves V8's rule. It is V8's `--heap-growing-percent`, set for the
 * whole process: V8 recomputes its growth limit after every collection, so setting it at start
 * takes effect from the first one (the benchmark's `--trace-gc` lines show it). Throws
 * RangeError for a percent that is not a whole number from 0 to 999.
 */
export function boundHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 999) throw new RangeError(`heap growth must be a whole percent from 0 to 999, not ${percent}`);
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
