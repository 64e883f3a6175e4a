import type { Finding, Snapshot } from '@fleetmedic/protocol';
import type { Diagnosis } from '@fleetmedic/diagnosis';

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

/** `doctor` without --json: findings table, then sections that could not be judged or do not exist here. */
export function formatDiagnosis(hostname: string, d: Diagnosis, unsupported: { section: string; reason: string }[] = []): string {
  const out = [`${hostname}: ${d.findings.length} finding(s)`];
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
