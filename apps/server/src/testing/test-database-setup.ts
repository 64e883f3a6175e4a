import type { TestProject } from 'vitest/node';
import { findTestDatabaseServer } from './test-database.js';

/**
 * vitest globalSetup: chooses the database server once per run instead of once per suite, and
 * provides it to every test file. A Testcontainers Postgres is started once for the run (each
 * suite gets a fresh database on it) and stopped after; without DATABASE_URL and a container
 * runtime, PGlite suites load a migrated archive. Each probe cost every suite ~1.5 s
 * (Testcontainers looking for a runtime) and each PGlite ~2.5 s (initdb and migrations).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findTestDatabaseServer();
  project.provide('testDatabaseServer', server.description);
  return server.stop;
}
