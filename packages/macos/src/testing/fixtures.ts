import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/macos/src/testing/fixtures.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The shared real macOS captures: `FLEETMEDIC_FIXTURES` when set, else `<repo>/../shared/fixtures/macos`
 * (CI lays shared/ beside the clone).
 */
export const FIXTURES_DIR = process.env.FLEETMEDIC_FIXTURES ?? path.resolve(REPO_ROOT, '../shared/fixtures/macos');

/** Absolute path of a fixture, e.g. fixturePath('firewall/kolide-combined-get-v1-state1.txt'). */
export const fixturePath = (rel: string): string => path.join(FIXTURES_DIR, rel);

/** A fixture's text (UTF-8). Throws ENOENT if the fixture is missing: a test must not pass on nothing. */
export const readFixture = (rel: string): string => readFileSync(fixturePath(rel), 'utf8');

/** Every fixture file name in one folder, sorted, e.g. listFixtures('firewall'). */
export const listFixtures = (folder: string): string[] => readdirSync(path.join(FIXTURES_DIR, folder)).sort();

/** recorded-macs/extra-captures: real captures found after the shared fixtures were frozen (sources in its SOURCES.md). */
export const EXTRA_CAPTURES_DIR = path.join(REPO_ROOT, 'recorded-macs/extra-captures');

/** An extra capture's text (UTF-8); throws ENOENT when missing. */
export const readExtraCapture = (name: string): string => readFileSync(path.join(EXTRA_CAPTURES_DIR, name), 'utf8');

/** Every extra capture whose name starts with `prefix`, sorted, e.g. listExtraCaptures('codesign-verify-'). */
export const listExtraCaptures = (prefix: string): string[] => readdirSync(EXTRA_CAPTURES_DIR).filter((f) => f.startsWith(prefix)).sort();
