import * as macos from '@fleetmedic/macos';
import { describe, expect, it } from 'vitest';
import { PARSERS } from './catalog.js';

describe('the parser benchmark catalog', () => {
  it('lists every parse* function @fleetmedic/macos exports (a new parser must be benchmarked too)', () => {
    const exported = Object.entries(macos).filter(([name, v]) => /^parse[A-Z]/.test(name) && typeof v === 'function').map(([name]) => name).sort();
    expect(exported.filter((n) => !PARSERS.some((p) => p.name === n))).toEqual([]);
  });
});
