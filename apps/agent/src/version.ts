import { readFileSync } from 'node:fs';

/** The agent's package version (apps/agent/package.json), reported in every snapshot. */
export const AGENT_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
