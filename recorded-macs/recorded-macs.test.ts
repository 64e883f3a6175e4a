/**
 * Every recorded Mac folder against the contract of docs/recorded-mac.md, against its
 * manifest entry (each copied file re-derived from its real capture) and against its own
 * scenario (the data must hold what the expected findings claim). TCC.db files are read
 * with the real /usr/bin/sqlite3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_IDS } from '../packages/protocol/src/findings.js';
import { HERE, SQL_DIR, readFixture, renderCmd, sqlName, tccPath } from './build.js';
import { CMD_FILE, COLLECT_COMMANDS, KNOWN_COMMANDS, PER_USER_COMMANDS, accessColumnsFor, accessDigestsFor, macosMajor } from './contract.js';
import { MACS, SYSTEM_TCC } from './manifest.js';
import { accessDigest, tccSql } from './tcc-sql.js';

const SUPPORT_DIRS = new Set(['extra-captures', 'tcc-sql']);
const macDirs = readdirSync(HERE, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(HERE, e.name, 'host.json')))
  .map((e) => e.name)
  .sort();

/** Runs sqlite3 read-only with JSON output. */
function sqliteJson<T>(db: string, sql: string): T[] {
  const r = spawnSync('/usr/bin/sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${db}: ${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as T[]) : [];
}

/** Files under a folder, as paths relative to it. */
function walk(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), path.join(rel, e.name)) : [path.join(rel, e.name)],
  );
}

const read = (mac: string, rel: string): string | null => {
  const file = path.join(HERE, mac, rel);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};

describe('the set of recorded Macs', () => {
  it('has at least 10 Macs covering macOS 12, 13, 14, 15, 26 and 27 on Intel and Apple Silicon', () => {
    expect(macDirs.length).toBeGreaterThanOrEqual(10);
    const majors = new Set(macDirs.map((m) => macosMajor(read(m, 'cmd/sw_vers.out') ?? '')));
    for (const v of [12, 13, 14, 15, 26, 27]) expect(majors, `macOS ${v}`).toContain(v);
    const arches = new Set(macDirs.map((m) => (JSON.parse(read(m, 'host.json')!) as { architecture: string }).architecture));
    expect([...arches].sort()).toEqual(['arm64', 'x86_64']);
  });

  // Whether each Mac really yields its expected findings is checked by running the agent's
  // collect + diagnose on it (apps/agent/src/cli.test.ts), not by a second copy of the rules here.
  it('covers every finding id but usb.power.insufficient (no real capture of it, see README) and a healthy Mac', () => {
    const found = new Set(macDirs.flatMap((m) => (JSON.parse(read(m, 'scenario.json')!) as { expectedFindings: string[] }).expectedFindings));
    expect([...found].sort()).toEqual(FINDING_IDS.filter((id) => id !== 'usb.power.insufficient').sort());
    expect(macDirs.some((m) => (JSON.parse(read(m, 'scenario.json')!) as { expectedFindings: string[] }).expectedFindings.length === 0)).toBe(true);
  });

  it('is exactly the manifest, and holds no other folders', () => {
    expect(macDirs).toEqual(MACS.map((m) => m.folder).sort());
    const others = readdirSync(HERE, { withFileTypes: true }).filter((e) => e.isDirectory() && !macDirs.includes(e.name));
    expect(others.map((e) => e.name).sort()).toEqual([...SUPPORT_DIRS].sort());
  });
});

describe('docs/recorded-mac.md', () => {
  const doc = readFileSync(path.join(HERE, '../docs/recorded-mac.md'), 'utf8');

  it('documents every known command name, and no other', () => {
    const documented = [...doc.matchAll(/^\| `([^`]+)` \| `/gm)].map((m) => m[1]).filter((n) => !['hostname', 'serialNumber', 'hardwareModel', 'architecture', 'consoleUser', 'homes'].includes(n!));
    expect(documented.sort()).toEqual([...KNOWN_COMMANDS].sort());
  });

  it('holds a recording script that bash parses and that records every collection command', () => {
    const script = /<!-- record-mac\.sh -->\n```bash\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(script).toBeDefined();
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const name of COLLECT_COMMANDS) expect(script, name).toMatch(new RegExp(`^rec ${name.replace(/[.-]/g, '\\$&')} `, 'm'));
    expect(script).toContain('denied.txt');
  });
});

describe.each(MACS.map((m) => [m.folder, m] as const))('%s', (folder, spec) => {
  const dir = path.join(HERE, folder);
  const host = JSON.parse(read(folder, 'host.json')!) as Record<string, unknown>;
  const swVers = read(folder, 'cmd/sw_vers.out') ?? '';
  const major = macosMajor(swVers);
  const denied = (read(folder, 'denied.txt') ?? '').split('\n').filter(Boolean);
  const fsFiles = walk(path.join(dir, 'fs')).map((f) => `/${f}`);
  const tccFiles = fsFiles.filter((f) => f.endsWith('/com.apple.TCC/TCC.db'));
  const scenario = JSON.parse(read(folder, 'scenario.json')!) as Record<string, unknown>;
  const expected = new Set(scenario.expectedFindings as string[]);

  it('host.json has the documented fields and types, and real home folders', () => {
    expect(Object.keys(host).every((k) => ['hostname', 'serialNumber', 'hardwareModel', 'architecture', 'consoleUser', 'homes'].includes(k))).toBe(true);
    expect(typeof host.hostname).toBe('string');
    expect(host.hostname).not.toBe('');
    expect(host.serialNumber === null || typeof host.serialNumber === 'string').toBe(true);
    expect(host.hardwareModel === null || typeof host.hardwareModel === 'string').toBe(true);
    expect(['arm64', 'x86_64']).toContain(host.architecture);
    const homes = host.homes as Record<string, string>;
    expect(Object.keys(homes).length).toBeGreaterThan(0);
    for (const [user, home] of Object.entries(homes)) expect(home).toBe(`/Users/${user}`);
    if (host.consoleUser !== undefined) expect(Object.keys(homes)).toContain(host.consoleUser);
    // Every home with files in fs/ is declared: the agent finds users from homes, never by listing /Users.
    const fsUsers = new Set(fsFiles.filter((f) => f.startsWith('/Users/')).map((f) => f.split('/')[2]));
    for (const u of fsUsers) expect(Object.keys(homes)).toContain(u);
  });

  it('console-user agrees with host.json (root at the login window)', () => {
    expect(read(folder, 'cmd/console-user.out')).toBe(`${(host.consoleUser as string | undefined) ?? 'root'}\n`);
  });

  it('names only known commands, with integer exit codes', () => {
    const files = readdirSync(path.join(dir, 'cmd'));
    expect(files).toContain('sw_vers.out');
    for (const file of files) {
      const m = CMD_FILE.exec(file);
      expect(m, file).not.toBeNull();
      expect(KNOWN_COMMANDS, file).toContain(m!.groups!.name);
      if (m!.groups!.user !== undefined) {
        expect(PER_USER_COMMANDS, file).toContain(m!.groups!.name);
        expect(Object.keys(host.homes as Record<string, string>), file).toContain(m!.groups!.user);
      }
      if (m!.groups!.ext === 'code') expect(read(folder, `cmd/${file}`)).toMatch(/^\d+\n?$/);
    }
  });

  it('copies every command file byte for byte from the capture its manifest names', () => {
    const files = readdirSync(path.join(dir, 'cmd')).sort();
    expect(files).toEqual(spec.cmds.map((c) => `${c.name}.${c.ext}`).sort());
    for (const c of spec.cmds) expect(read(folder, `cmd/${c.name}.${c.ext}`), `${c.name}.${c.ext}`).toBe(renderCmd(c));
  });

  it('has a macOS version whose TCC layout is known', () => {
    expect(major).not.toBeNull();
    expect(accessColumnsFor(major!)).not.toBeNull();
  });

  it('has real SQLite TCC.db files with the access table of its macOS version', () => {
    expect(tccFiles.sort()).toEqual(spec.tcc.map(tccPath).sort());
    for (const mac of tccFiles) {
      const db = path.join(dir, 'fs', mac);
      expect(readFileSync(db).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
      const cols = sqliteJson<{ name: string }>(db, 'PRAGMA table_info(access)').map((c) => c.name);
      expect(cols, mac).toEqual(accessColumnsFor(major!));
      const [create] = sqliteJson<{ sql: string }>(db, "SELECT sql FROM sqlite_master WHERE name = 'access'");
      expect(accessDigestsFor(major!)).toContain(accessDigest(create!.sql));
      const tables = sqliteJson<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((t) => t.name);
      for (const t of ['access', 'access_overrides', 'active_policy', 'admin', 'expired', 'policies']) expect(tables).toContain(t);
      expect(sqliteJson<{ n: number }>(db, 'SELECT count(*) AS n FROM access')[0]!.n).toBeGreaterThan(0);
    }
  });

  it('builds each TCC.db from its committed SQL, which the manifest regenerates', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'recorded-mac-'));
    try {
      for (const t of spec.tcc) {
        const sqlFile = path.join(SQL_DIR, sqlName(spec, t));
        const sql = readFileSync(sqlFile, 'utf8');
        expect(tccSql(t, readFixture, sql.split('\n').filter((l) => l.startsWith('-- ')).map((l) => l.slice(3)))).toBe(sql);
        const fresh = path.join(tmp, 'TCC.db');
        rmSync(fresh, { force: true });
        expect(spawnSync('/usr/bin/sqlite3', [fresh], { input: sql }).status).toBe(0);
        const q = 'SELECT * FROM access ORDER BY service, client, indirect_object_identifier';
        expect(sqliteJson(path.join(dir, 'fs', tccPath(t)), q)).toEqual(sqliteJson(fresh, q));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('denied.txt lists absolute paths that the recording could not copy', () => {
    for (const p of denied) {
      expect(p.startsWith('/'), p).toBe(true);
      expect(existsSync(path.join(dir, 'fs', p)), p).toBe(false);
      const inHome = Object.values(host.homes as Record<string, string>).some((h) => p.startsWith(`${h}/`));
      expect(inHome || p.startsWith('/Library/') || p.startsWith('/Applications/'), p).toBe(true);
    }
  });

  it('scenario.json names known finding ids only', () => {
    expect(Object.keys(scenario).sort()).toEqual(['expectedFindings', 'summary']);
    expect(typeof scenario.summary).toBe('string');
    expect((scenario.summary as string).length).toBeGreaterThan(10);
    const ids = scenario.expectedFindings as string[];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(FINDING_IDS as readonly string[]).toContain(id);
  });
});

