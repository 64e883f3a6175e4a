import { InvalidArgumentError } from 'commander';

/** commander option parser for a whole number above 0 (counts, seconds); refuses anything else with the reason. */
export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a whole number above 0');
  return n;
};
