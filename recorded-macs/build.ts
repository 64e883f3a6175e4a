/**
 * Builds the recorded Macs from manifest.ts: copies the command outputs out of the real
 * captures, writes host.json / scenario.json / denied.txt / Info.plist, writes each TCC.db's
 * SQL to tcc-sql/ and builds the database from it with /usr/bin/sqlite3, then README.md.
 *
 *   npx tsx recorded-macs/build.ts
 *
 * Needs shared/fixtures/macos (FLEETMEDIC_FIXTURES overrides). Re-running gives the same files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FIXTURES_DIR } from '../packages/macos/src/testing/fixtures.js';
import { MACS, SYSTEM_TCC, userTcc, type CmdFile, type MacSpec, type Part, type TccDbSpec, type ZoomVersion } from './manifest.js';
import { renderReadme } from './readme.js';
import { tccSql, type ReadFixture } from './tcc-sql.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXTRA_DIR = path.join(HERE, 'extra-captures');
export const SQL_DIR = path.join(HERE, 'tcc-sql');

export const readFixture: ReadFixture = (rel) => readFileSync(path.join(FIXTURES_DIR, rel), 'utf8');

/** The bytes of one part: selected lines of a capture, each ended by "\n", or written text plus "\n". */
export function renderPart(part: Part): string {
  if ('written' in part) return `${part.written}\n`;
  const text = 'fixture' in part ? readFixture(part.fixture) : readFileSync(path.join(EXTRA_DIR, part.extra), 'utf8');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const [from, to] = part.lines ?? [1, lines.length];
  if (from < 1 || to > lines.length || from > to) throw new Error(`lines ${from}-${to} outside ${lines.length} lines of ${JSON.stringify(part)}`);
  return lines
    .slice(from - 1, to)
    .map((l) => {
      if (!part.stripPrefix) return `${l}\n`;
      if (!l.startsWith(part.stripPrefix)) throw new Error(`line "${l}" lacks prefix "${part.stripPrefix}"`);
      return `${l.slice(part.stripPrefix.length)}\n`;
    })
    .join('');
}

export const renderCmd = (c: CmdFile): string => c.parts.map(renderPart).join('');

/** Mac path of a TCC.db spec. */
export const tccPath = (t: TccDbSpec): string => (t.scope === 'system' ? SYSTEM_TCC : userTcc(t.user!));
/** Name of the committed SQL file of one TCC.db. */
export const sqlName = (mac: MacSpec, t: TccDbSpec): string => `${mac.folder}--${t.scope === 'system' ? 'system' : `user-${t.user}`}.sql`;

/** Info.plist values, each from fixtures/zoom (see README for which). */
export const ZOOM_PLIST: Record<ZoomVersion, { short: string; version: string | null }> = {
  '7.1.5': { short: '7.1.5 (84650)', version: '7.1.5.84650' },
  '5.16.10': { short: '5.16.10 (25689)', version: '5.16.10.25689' },
  '4.5.0': { short: '4.5.0 (3261.0825)', version: null },
};

export function infoPlist(v: ZoomVersion): string {
  const { short, version } = ZOOM_PLIST[v];
  const entries: [string, string][] = [
    ['CFBundleExecutable', 'zoom.us'],
    ['CFBundleIdentifier', 'us.zoom.xos'],
    ['CFBundleName', 'zoom.us'],
    ['CFBundleShortVersionString', short],
    ...(version ? [['CFBundleVersion', version] as [string, string]] : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    ...entries.flatMap(([k, val]) => [`\t<key>${k}</key>`, `\t<string>${val}</string>`]),
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

const write = (file: string, text: string | Buffer): void => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

/** Runs an SQL script into a fresh database with the real sqlite3. */
function buildDb(dbFile: string, sql: string): void {
  rmSync(dbFile, { force: true });
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const r = spawnSync('/usr/bin/sqlite3', [dbFile], { input: sql, encoding: 'utf8' });
  if (r.status !== 0 || r.stderr) throw new Error(`sqlite3 ${dbFile}: exit ${r.status} ${r.stderr}`);
}

function buildMac(mac: MacSpec): void {
  const dir = path.join(HERE, mac.folder);
  rmSync(dir, { recursive: true, force: true });
  write(path.join(dir, 'host.json'), `${JSON.stringify(mac.host, null, 2)}\n`);
  write(path.join(dir, 'scenario.json'), `${JSON.stringify({ summary: mac.summary, expectedFindings: mac.expectedFindings }, null, 2)}\n`);
  if (mac.denied.length) write(path.join(dir, 'denied.txt'), mac.denied.map((p) => `${p}\n`).join(''));
  for (const c of mac.cmds) write(path.join(dir, 'cmd', `${c.name}.${c.ext}`), renderCmd(c));
  for (const [rel, answer] of Object.entries(mac.net ?? {})) write(path.join(dir, 'net', rel), `${JSON.stringify(answer, null, 2)}\n`);
  if (mac.zoom) write(path.join(dir, 'fs/Applications/zoom.us.app/Contents/Info.plist'), infoPlist(mac.zoom));
  for (const [user, v] of Object.entries(mac.homeZoom ?? {})) write(path.join(dir, `fs/Users/${user}/Applications/zoom.us.app/Contents/Info.plist`), infoPlist(v));
  for (const t of mac.tcc) {
    const sql = tccSql(t, readFixture, [
      `${mac.folder}: ${tccPath(t)}`,
      `Generated by recorded-macs/build.ts from shared/fixtures/macos (see recorded-macs/README.md).`,
      `CREATE statements: tcc/schema-macos26.6.2-25G83-user-TCCdb.sql, access table ${t.layout} (tcc/schema-access-by-version-verified.md).`,
      `Rows: ${t.rows.join(', ')}; us.zoom.xos rows are scenario data: ${JSON.stringify(t.zoom)}.`,
    ]);
    write(path.join(SQL_DIR, sqlName(mac, t)), sql);
    buildDb(path.join(dir, 'fs', tccPath(t)), sql);
  }
}

export function buildAll(): void {
  const names = new Set(MACS.map((m) => m.folder));
  for (const entry of readdirSync(HERE, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(path.join(HERE, entry.name, 'host.json')) && !names.has(entry.name)) rmSync(path.join(HERE, entry.name), { recursive: true });
  }
  rmSync(SQL_DIR, { recursive: true, force: true });
  for (const mac of MACS) buildMac(mac);
  write(path.join(HERE, 'README.md'), renderReadme(MACS, sqlName, tccPath));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) buildAll();
