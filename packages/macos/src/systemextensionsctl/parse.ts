import type { SystemExtension } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';

const CATEGORY_PREFIX = 'com.apple.system_extension.';
/** Apple Developer Team IDs are ten upper-case letters and digits. */
const TEAM_ID = /^[A-Z0-9]{10}$/;
const COUNT = /^(\d+) extension\(s\)$/;
/** Problems past this many are summed up in one line: a garbage input must not yield a garbage-sized result. */
const MAX_PROBLEMS = 20;

/**
 * `systemextensionsctl list [category]` stdout -> the system extensions it lists (macOS 10.15+).
 *
 * Layout (captures: shared/fixtures/macos/sysext/, recorded-macs/extra-captures/sysextctl-*):
 * an optional `Category: <id>` line (when a category was asked), `N extension(s)`, then per
 * category a `--- com.apple.system_extension.<category>` header (macOS 13+ adds
 * ` (Go to 'System Settings > …' to modify …)`), a column header line, and one row per
 * extension: `enabled⇥active⇥teamID⇥bundleID (version)⇥name⇥[state]`, where enabled/active are
 * `*` or empty. Rows whose TABs became spaces (a blog's copy) are read by position instead.
 * Blank lines and shell prompt lines are skipped. Linear in the input size (no backtracking regex).
 * Fails when no `N extension(s)` line and no row was found; a count that differs from the rows read
 * is a problem, as is every line that could not be read.
 */
export function parseSystemExtensions(stdout: string): ParseResult<SystemExtension[]> {
  const extensions: SystemExtension[] = [];
  const problems: string[] = [];
  let category: string | null = null;
  let count: number | null = null;
  let skipped = 0;
  const lines = stdout.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('enabled') || trimmed.startsWith('Category:') || isPrompt(trimmed)) return;
    const m = COUNT.exec(trimmed);
    if (m) {
      count = Number(m[1]);
      return;
    }
    if (trimmed.startsWith('--- ')) {
      category = categoryOf(trimmed);
      return;
    }
    const row = readRow(line, category);
    if (typeof row === 'string') {
      if (problems.length < MAX_PROBLEMS) problems.push(`line ${index + 1}: ${row}`);
      else skipped += 1;
      return;
    }
    if (!TEAM_ID.test(row.teamId) && problems.length < MAX_PROBLEMS) problems.push(`line ${index + 1}: team id "${row.teamId}" is not ten letters and digits`);
    extensions.push(row);
  });
  if (skipped > 0) problems.push(`${skipped} more lines not read`);
  if (count === null && extensions.length === 0) return failed('no "N extension(s)" line and no extension row: not systemextensionsctl list output', problems);
  if (count === null) problems.push('no "N extension(s)" line');
  else if (count !== extensions.length) problems.push(`says ${count} extension(s) but ${extensions.length} rows were read`);
  return parsed(extensions, problems);
}

/** `systemextensionsctl list` typed at a prompt and kept in a capture ("% systemextensionsctl list"). */
function isPrompt(trimmed: string): boolean {
  return trimmed.includes('systemextensionsctl ');
}

/** `--- com.apple.system_extension.network_extension (Go to …)` -> `network_extension`. */
function categoryOf(header: string): string {
  const id = header.slice(4).trim().split(' ')[0] ?? '';
  return id.startsWith(CATEGORY_PREFIX) ? id.slice(CATEGORY_PREFIX.length) : id;
}

/** One extension row, or why it could not be read. */
function readRow(line: string, category: string | null): SystemExtension | string {
  const end = line.trimEnd();
  const open = end.lastIndexOf('[');
  if (!end.endsWith(']') || open < 0) return `not an extension row (no "[state]" at the end): ${quote(line)}`;
  const state = end.slice(open + 1, -1).trim();
  const left = end.slice(0, open);
  const cells = left.includes('\t') ? tabCells(left) : spaceCells(left);
  if (typeof cells === 'string') return `${cells}: ${quote(line)}`;
  const { bundleId, version } = splitVersion(cells.bundleAndVersion);
  if (bundleId === '') return `no bundle id: ${quote(line)}`;
  return { category, enabled: cells.enabled, active: cells.active, teamId: cells.teamId, bundleId, version, name: cells.name, state };
}

interface Cells {
  enabled: boolean;
  active: boolean;
  teamId: string;
  bundleAndVersion: string;
  name: string;
}

/** `*⇥*⇥TEAM⇥bundle (version)⇥name⇥` — the layout systemextensionsctl prints. */
function tabCells(left: string): Cells | string {
  const f = left.split('\t');
  if (f.length < 5) return `${f.length} TAB-separated columns, expected 6`;
  return { enabled: f[0]?.trim() === '*', active: f[1]?.trim() === '*', teamId: f[2]?.trim() ?? '', bundleAndVersion: f[3]?.trim() ?? '', name: f[4]?.trim() ?? '' };
}

/**
 * The same row with TABs turned into spaces: leading `*` marks, then team id, bundle id,
 * `(version)` and the name (which may hold spaces). One `*` alone is read as "enabled" when it
 * starts the line, as "active" otherwise: the column it stood in is lost with the TABs.
 */
function spaceCells(left: string): Cells | string {
  let i = 0;
  const stars: number[] = [];
  while (i < left.length && (left[i] === '*' || left[i] === ' ')) {
    if (left[i] === '*') stars.push(i);
    i += 1;
  }
  const teamEnd = nextSpace(left, i);
  const teamId = left.slice(i, teamEnd);
  if (teamId === '') return 'no team id';
  const rest = left.slice(teamEnd).trim();
  const paren = rest.indexOf(')');
  const bundleAndVersion = paren >= 0 ? rest.slice(0, paren + 1) : (rest.split(' ')[0] ?? '');
  const name = rest.slice(bundleAndVersion.length).trim();
  const enabled = stars.length >= 2 || (stars.length === 1 && stars[0] === 0);
  const active = stars.length >= 2 || (stars.length === 1 && stars[0] !== 0);
  return { enabled, active, teamId, bundleAndVersion, name };
}

function nextSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && s[i] !== ' ' && s[i] !== '\t') i += 1;
  return i;
}

/** `com.example.ext (1.2/34)` -> bundle id and version; no parentheses -> version null. */
function splitVersion(cell: string): { bundleId: string; version: string | null } {
  const open = cell.indexOf(' (');
  if (open < 0 || !cell.endsWith(')')) return { bundleId: cell.trim(), version: null };
  return { bundleId: cell.slice(0, open).trim(), version: cell.slice(open + 2, -1).trim() };
}

function quote(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
