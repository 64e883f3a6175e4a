import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import { PRISMA_DIR } from './paths.js';

const require = createRequire(import.meta.url);
let started: Promise<void> | undefined;

/** Node's global WebAssembly (the ES2023 lib we compile against does not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: unknown } }>;
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm, pinned to the
 * engines version of our Prisma CLI). Node 20 cannot `import` a .wasm file, so we instantiate it
 * with the generated bindings as its import object. Runs once per process.
 */
function startWasm(): Promise<void> {
  started ??= (async () => {
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await wasmApi().instantiate(await readFile(wasmPath), { './schema_engine_bg.js': bg });
    const exports = instance.exports as unknown as { __wbindgen_start(): void };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return started;
}

/** The schema.prisma text and path the engine reads. */
export async function loadDatamodel(): Promise<[string, string]> {
  const file = path.join(PRISMA_DIR, 'schema.prisma');
  return [file, await readFile(file, 'utf8')];
}

/**
 * A schema engine bound to a database through a Prisma driver adapter factory (PrismaPg or
 * PrismaPGlite). The caller must `free()` it.
 */
export async function openSchemaEngine(factory: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  await startWasm();
  const datamodel = await loadDatamodel();
  const logs: string[] = [];
  return bg.SchemaEngine.new({ datamodels: [datamodel] }, (line: string) => logs.push(line), bindMigrationAwareSqlAdapterFactory(factory));
}

/** Reads prisma/migrations/* into the engine's MigrationList shape (as `prisma migrate deploy` does). */
export async function loadMigrations(dir = path.join(PRISMA_DIR, 'migrations')): Promise<MigrationList> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = path.join(dir, 'migration_lock.toml');
  const lock = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lock },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      entries.map(async (name) => {
        const content = await readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        );
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };
