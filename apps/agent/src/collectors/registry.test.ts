// The agent's own lists checked against the section registry (packages/protocol/src/sections/registry.ts).
import { SECTION_NAMES, SECTION_REGISTRY } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../runner/commands.js';
import { SECTION_COLLECTORS } from './table.js';

const HOST_COMMANDS: string[] = [COMMANDS.consoleUser.name, COMMANDS.consoleUid.name];

describe('the agent against the section registry', () => {
  it('has a collector for every section (os is read first, by collectSnapshot)', () => {
    expect(['os', ...Object.keys(SECTION_COLLECTORS)].sort()).toEqual([...SECTION_NAMES].sort());
  });

  it('every recorded command a section names is a spec of the command table, and every read-only spec serves a section or the host facts', () => {
    const specNames = Object.values(COMMANDS).map((c) => c.name);
    const recorded = SECTION_NAMES.flatMap((n) => SECTION_REGISTRY[n].recorded.commands.map((c) => ({ section: n, c })));
    for (const { section, c } of recorded) expect(specNames, `${section}: ${c}`).toContain(c);
    expect(specNames.filter((n) => !HOST_COMMANDS.includes(n)).sort()).toEqual([...new Set(recorded.map((r) => r.c))].sort());
  });
});
