import type { Finding, FindingId, Health, SectionName, Snapshot } from '@fleetmedic/protocol';
import { FINDING_CATALOG, judgeHealth, serverReach, zoomFailures, type Diagnosis } from '@fleetmedic/diagnosis';

/** Plain text table: columns padded to their widest cell, cells cut at `max` characters. */
export function table(header: string[], rows: string[][], max = 70): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const all = [header, ...rows].map((r) => r.map(cut));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** `collect` without --json: one line per section. */
export function formatSnapshot(s: Snapshot): string {
  const rows = Object.entries(s.sections).map(([name, sec]) => [
    name,
    sec.status,
    sec.reason ?? (sec.problems?.length ? `${sec.problems.length} problem(s): ${sec.problems[0]}` : ''),
  ]);
  return `${s.host.hostname} (${s.host.platform}, ${s.host.hardwareModel ?? 'unknown model'}) at ${s.collectedAt}\n\n${table(['section', 'status', 'detail'], rows)}`;
}

/**
 * The network path in one word for doctor: `offline` (neither Zoom nor the FleetMedic server
 * answered: no network at all, never "Zoom blocked"), `zoom-unreachable`, `online`, or null when
 * the section was not read.
 */
export function networkState(s: Snapshot): 'online' | 'offline' | 'zoom-unreachable' | null {
  const net = s.sections.network?.data;
  if (!net) return null;
  const failed = zoomFailures(net.zoom);
  if (failed.dns.length === 0 && failed.endpoints.length === 0) return 'online';
  return serverReach(net.server) === 'unreachable' ? 'offline' : 'zoom-unreachable';
}

const NETWORK_WORDS = {
  online: 'online, Zoom reachable',
  offline: 'OFFLINE — neither Zoom nor the FleetMedic server answered (no network at all; no finding)',
  'zoom-unreachable': 'Zoom cannot be reached (see the finding)',
} as const;

/**
 * `text` broken at spaces into lines of at most `width` characters, each after `indent`; a word
 * longer than a line (a long path) stays whole on its own line: nothing is ever cut.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const room = Math.max(20, width - indent.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

const HEALTH_WORDS: Record<Health, string> = { 'cannot-join': 'cannot join a call', unknown: 'unknown (something could not be checked)', 'at-risk': 'at risk', ready: 'ready for calls' };

/** A section that does not exist on this platform, and why (doctor's `unsupported`). */
export interface UnsupportedSection {
  section: SectionName;
  reason: string;
}

/** The sections of `snapshot` whose status is `unsupported` (on Linux, every Mac section). */
export function unsupportedSections(snapshot: Snapshot): UnsupportedSection[] {
  return (Object.entries(snapshot.sections) as [SectionName, Snapshot['sections'][SectionName]][])
    .filter(([, sec]) => sec?.status === 'unsupported')
    .map(([section, sec]) => ({ section, reason: sec?.reason ?? 'unsupported' }));
}

/**
 * `doctor` without --json, wrapped to `width` columns (the terminal's): the Mac's health in the
 * one severity model, then per finding, worst first, its title, what it breaks in Zoom, every
 * evidence line whole, the remedy and whether `run` can apply it; then sections that could not be
 * judged or do not exist on this platform. `network`: the path in one word (networkState).
 */
export function formatDiagnosis(hostname: string, d: Diagnosis, unsupported: UnsupportedSection[] = [], width = 100, network: ReturnType<typeof networkState> = null): string {
  // A section that does not exist here (not a Mac) decides nothing: never "ready for calls" on it.
  const health = judgeHealth({ openSeverities: d.findings.map((f) => f.severity), unknownSections: [...d.unknown, ...unsupported.map((u) => u.section)] });
  const out = wrap(`${hostname}: ${HEALTH_WORDS[health]}; ${d.findings.length} ${d.findings.length === 1 ? 'problem' : 'problems'}`, width);
  if (network) out.push(...wrap(`Network: ${NETWORK_WORDS[network]}`, width));
  if (unsupported.length > 0) {
    out.push('', ...wrap(`Not checked on this platform: ${unsupported.map((u) => u.section).join(', ')} (${unsupported[0]!.reason}).`, width));
  }
  for (const f of d.findings) out.push('', ...findingLines(f, width));
  if (d.unknown.length > 0) {
    out.push('', 'Could not check:');
    for (const u of d.unknownReasons) out.push(...wrap(`${u.section} (${FINDING_CATALOG[u.rule]?.title ?? u.rule}): ${u.reason}`, width, '  '));
  }
  return out.join('\n');
}

/** One finding: "CRITICAL  title (id)", what it breaks, evidence, remedy, and the automatic fix ("none": only a person can). */
function findingLines(f: Finding, width: number): string[] {
  const breaks = FINDING_CATALOG[f.id as FindingId]?.breaks;
  return [
    ...wrap(`${f.severity.toUpperCase()}  ${f.title} (${f.id})`, width),
    ...(breaks ? wrap(`In Zoom: ${breaks}.`, width, '  ') : []),
    '  Evidence:',
    ...f.evidence.flatMap((e) => wrap(`${e.section}: ${e.detail}`, width, '    ').map((l, i) => (i === 0 ? l.replace(/^ {4}/, '  - ') : l))),
    ...wrap(`Remedy: ${f.remedy.summary}`, width, '  '),
    `  Automatic fix: ${f.remedy.action ? `${f.remedy.action.type} (agent run applies it when the server sends it)` : 'none, this needs a person'}`,
  ];
}
