import { readFileSync } from 'node:fs';

// Set by scripts/build.mjs in the shipped bundle, which has no package.json beside it.
declare const __FLEETMEDIC_AGENT_VERSION__: string | undefined;

/** The agent's package version (apps/agent/package.json), reported in every snapshot. */
export const AGENT_VERSION: string =
  typeof __FLEETMEDIC_AGENT_VERSION__ === 'string'
    ? __FLEETMEDIC_AGENT_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
