import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { serverReach, zoomFailures, type Diagnosis } from '@fleetmedic/diagnosis';

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

/** `doctor` without --json: findings table, then sections that could not be judged or do not exist here. */
export function formatDiagnosis(hostname: string, d: Diagnosis, unsupported: { section: string; reason: string }[] = [], network: ReturnType<typeof networkState> = null): string {
  const out = [`${hostname}: ${d.findings.length} finding(s)`];
  if (network) out.push(`Network: ${NETWORK_WORDS[network]}`);
  if (unsupported.length > 0) {
    out.push('', `Not checked on this platform: ${unsupported.map((u) => u.section).join(', ')} (${unsupported[0]!.reason}).`);
  }
  if (d.findings.length > 0) {
    out.push('', table(['severity', 'finding', 'action', 'evidence', 'remedy'], d.findings.map(findingRow)));
  }
  if (d.unknown.length > 0) {
    out.push('', 'Could not check:');
    for (const u of d.unknownReasons) out.push(`  ${u.section} (${u.rule}): ${u.reason}`);
  }
  return out.join('\n');
}

/** One finding: the action column says what `run` can do about it automatically ("-" when only a person can). */
function findingRow(f: Finding): string[] {
  return [f.severity, f.key, f.remedy.action?.type ?? '-', f.evidence[0]?.detail ?? f.title, f.remedy.summary];
}
