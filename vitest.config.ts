import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Chooses the test database server once per run (DATABASE_URL, a container or PGlite).
    globalSetup: ['apps/server/src/testing/test-database-setup.ts'],
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/agent/packaging/**/*.test.ts', 'recorded-macs/**/*.test.ts', 'tests/**/*.test.ts', 'bench/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Postgres-backed suites share one server: run files one at a time, tests inside in order.
    fileParallelism: false,
  },
});
