import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Once per run: the test database server (DATABASE_URL, a container or PGlite), the agent bundle.
    globalSetup: ['apps/server/src/testing/test-database-setup.ts', 'apps/agent/src/testing/agent-bundle-setup.ts'],
    setupFiles: ['vitest.setup.ts'],
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/agent/packaging/**/*.test.ts', 'recorded-macs/**/*.test.ts', 'tests/**/*.test.ts', 'bench/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Postgres-backed suites share one server: run files one at a time, tests inside in order.
    fileParallelism: false,
  },
});
