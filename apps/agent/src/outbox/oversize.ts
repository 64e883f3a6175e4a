import { MAX_AGENT_MESSAGE_BYTES, SECTION_NAMES, type FullReportMessage, type SectionName } from '@fleetmedic/protocol';

/**
 * Room left under MAX_AGENT_MESSAGE_BYTES, bytes: a delta carries every section's hash besides
 * the content (a whole report is the larger of the two wire forms by less than this).
 */
export const REPORT_HEADROOM_BYTES = 64 * 1024;

/** A section replaced because the report was too large: its name, its JSON size in bytes, what made it big. */
export interface CutSection {
  section: SectionName;
  bytes: number;
  /** the largest list in the section's data, e.g. "40,000 apps" (null when it has none) */
  biggest: string | null;
}

/** A report fitted to the message limit: `report` (the input itself when nothing was cut), its size before and after, bytes. */
export interface FittedReport {
  report: FullReportMessage;
  cut: CutSection[];
  reportBytes: number;
  fittedBytes: number;
}

/** How fitReport measures: the limit, bytes, and a section's JSON size in bytes (default: JSON.stringify it). */
export interface FitOptions {
  limitBytes?: number;
  sectionBytes?: (section: unknown) => number;
}

/**
 * Fits a report under `limitBytes` (default MAX_AGENT_MESSAGE_BYTES less REPORT_HEADROOM_BYTES):
 * while its JSON is larger, the largest section left is replaced by one of status `unavailable`
 * whose reason says "too large to report" with the sizes (rules read it as unknown, never as
 * healthy; every server version validates it). Never throws; when every section is cut and the
 * report is still too large, `fittedBytes` says so and the caller logs it.
 * The report's size is its sections' sizes (`sectionBytes`, which the fleet simulator remembers per
 * shared section object) plus the rest: exactly JSON.stringify's, without writing the report out.
 */
export function fitReport(report: FullReportMessage, opts: FitOptions = {}): FittedReport {
  const limitBytes = opts.limitBytes ?? MAX_AGENT_MESSAGE_BYTES - REPORT_HEADROOM_BYTES;
  const sectionBytes = opts.sectionBytes ?? jsonBytes;
  const reportBytes = reportJsonBytes(report, sectionBytes);
  if (reportBytes <= limitBytes) return { report, cut: [], reportBytes, fittedBytes: reportBytes };
  const sections = { ...report.snapshot.sections } as Record<string, { sources?: string[]; data?: unknown } | undefined>;
  const sizes = new Map<SectionName, number>();
  for (const name of SECTION_NAMES) if (sections[name] !== undefined) sizes.set(name, sectionBytes(sections[name]));
  const cut: CutSection[] = [];
  let bytes = reportBytes;
  while (bytes > limitBytes && sizes.size > 0) {
    const [name, size] = [...sizes].reduce((a, b) => (b[1] > a[1] ? b : a));
    sizes.delete(name);
    const biggest = biggestList(sections[name]?.data);
    const reason = `too large to report: this section is ${mb(size)}${biggest ? ` (${biggest})` : ''} in a ${mb(reportBytes)} report; an agent message is at most ${MAX_AGENT_MESSAGE_BYTES / 1024 / 1024} MiB`;
    const replacement = { status: 'unavailable' as const, sources: sections[name]?.sources ?? [], reason };
    sections[name] = replacement;
    bytes += jsonBytes(replacement) - size;
    cut.push({ section: name, bytes: size, biggest });
  }
  const fitted = { ...report, snapshot: { ...report.snapshot, sections: sections as FullReportMessage['snapshot']['sections'] } };
  return { report: fitted, cut, reportBytes, fittedBytes: jsonBytes(fitted) };
}

/**
 * UTF-8 bytes of JSON.stringify(report): the report with no sections, plus `"name":<section>` for
 * each section present (names are ASCII) and the commas between them.
 */
function reportJsonBytes(report: FullReportMessage, sectionBytes: (section: unknown) => number): number {
  const present = Object.entries(report.snapshot.sections).filter(([, section]) => section !== undefined);
  let bytes = jsonBytes({ ...report, snapshot: { ...report.snapshot, sections: {} } }) + Math.max(present.length - 1, 0);
  for (const [name, section] of present) bytes += name.length + 3 + sectionBytes(section);
  return bytes;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** Bytes as "9.8 MB" (decimal megabytes, one decimal). */
function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The longest array directly in a section's data, as "40,000 apps"; null when there is none. */
function biggestList(data: unknown): string | null {
  if (data === null || typeof data !== 'object') return null;
  let best: [string, number] | null = null;
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value) && (!best || value.length > best[1])) best = [key, value.length];
  }
  return best ? `${best[1].toLocaleString('en-US')} ${best[0]}` : null;
}
