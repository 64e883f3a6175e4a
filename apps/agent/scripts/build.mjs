// Builds the shipped agent: dist/agent.mjs (src/cli.ts and everything it imports, one ESM file run
// by plain node, no node_modules beside it) plus the chunks it loads only when needed (the Linux
// host facts, the WebAssembly SQLite fallback) and sql-wasm.wasm for the latter.
// Usage: node scripts/build.mjs [--outdir <dir>] (default: apps/agent/dist, emptied first).
// Run the result through bin/fleetmedic-agent, which passes the V8 flags it is measured with.
import { copyFile, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = path.resolve(values.outdir ?? path.join(root, 'dist'));
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

/**
 * esbuild's ASCII output escapes strings but leaves regular expression literals as written, and one
 * non-ASCII character turns the whole module's source, which V8 keeps, into a two-byte string.
 * Our own sources are escaped as they load: in a regex, a string or a template, `\uXXXX` means the
 * same character (comments are dropped by the minifier anyway).
 */
const asciiSources = {
  name: 'ascii-sources',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const text = await readFile(args.path, 'utf8');
      const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return { contents: ascii, loader: 'ts' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { agent: path.join(root, 'src/cli.ts') },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dynamic imports become chunks loaded on first use, so a Mac never reads what only Linux needs.
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Node keeps each module's source in memory for lazy compilation: minified and ASCII-only
  // (a two-byte string would take twice the bytes), it costs the resident agent a quarter.
  minify: true,
  keepNames: true,
  charset: 'ascii',
  legalComments: 'none',
  sourcemap: 'linked',
  define: { __FLEETMEDIC_AGENT_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies call require() and read __dirname (sql.js finds sql-wasm.wasm there).
  banner: {
    js: [
      "import { createRequire as __fmCreateRequire } from 'node:module';",
      "import { dirname as __fmDirname } from 'node:path';",
      "import { fileURLToPath as __fmFileURLToPath } from 'node:url';",
      'const require = __fmCreateRequire(import.meta.url);',
      'const __filename = __fmFileURLToPath(import.meta.url);',
      'const __dirname = __fmDirname(__filename);',
    ].join(' '),
  },
  plugins: [asciiSources],
  logLevel: 'warning',
});
// sql.js looks for its WebAssembly beside the module that loads it: the chunk's folder.
const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
await copyFile(wasm, path.join(outdir, 'chunks', 'sql-wasm.wasm'));
process.stdout.write(`built ${path.relative(process.cwd(), path.join(outdir, 'agent.mjs')) || 'agent.mjs'} (agent ${version})\n`);
