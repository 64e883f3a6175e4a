import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of this run's agent bundle (agent-bundle-setup.ts). */
    agentBundle: string;
  }
}

/**
 * The agent as it ships (dist/agent.mjs from scripts/build.mjs), built once for this test run by
 * agent-bundle-setup.ts: run it as `node <agentBundle()> <args>`. Throws when the run has no
 * such global setup (a vitest config other than the repository's).
 */
export function agentBundle(): string {
  const bundle = inject('agentBundle') as string | undefined;
  if (!bundle) throw new Error('no agent bundle for this run: vitest.config.ts\'s globalSetup builds it (apps/agent/src/testing/agent-bundle-setup.ts)');
  return bundle;
}
