import { authReasonName, authValueName } from '../tcc/access.js';
import { forEachLine } from '../lines.js';
import { failed, parsed, type ParseResult } from '../result.js';

/**
 * One privacy decision tccd wrote to the unified log: the `AUTHREQ_RESULT` of a request whose
 * service and subject (the app) are known from the same request's earlier lines.
 * `authValue` / `authReason` use the TCC.db numbers (0 denied, 1 unknown, 2 allowed, 3 limited;
 * reason 2 user-consent — on "Allow" and "Don't Allow" alike —, 6 mdm-policy, ...).
 */
export interface TccLogDecision {
  /** kTCCService name, e.g. kTCCServiceCamera. */
  service: string;
  /** The subject tccd judged: a bundle id (`us.zoom.xos`) or a path. */
  client: string;
  authValue: number;
  authValueName: string;
  authReason: number;
  authReasonName: string;
  /** `preflight=yes|no` of AUTHREQ_CTX; null when the request had no CTX line (a prompt) or no such field. */
  preflight: boolean | null;
  /** Timestamp of the AUTHREQ_RESULT line as `log` printed it: the Mac's local time in compact style, with its zone in the default style. */
  observedAt: string;
  /** The request's lines that named the service, the subject and the result, as printed. */
  lines: string[];
}

/** What `parseTccLog` keeps: the decisions about the clients asked for, and how much else it skipped. */
export interface TccLogRead {
  /** Decisions about the requested clients, in log order. */
  decisions: TccLogDecision[];
  /** tccd lines read (any AUTHREQ kind, any app); other apps' lines are counted here and dropped. */
  tccdLines: number;
}

/** `log show --style compact`: `2026-10-06 11:58:10.001 Df tccd[75697:5ad68f1] [com.apple.TCC:access] MESSAGE`. */
const COMPACT = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s+\S+\s+tccd\[(\d+):[0-9a-fA-F]+\]\s+\[com\.apple\.TCC:[^\]]*\]\s+(.*)$/;
/** `log show` default style: `2025-09-12 08:35:25.587078-0300 0x22e5 Default 0x14359 152 0 tccd: [com.apple.TCC:access] MESSAGE`. */
const DEFAULT = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d{4})\s+0x[0-9a-fA-F]+\s+\S+\s+0x[0-9a-fA-F]+\s+(\d+)\s+\d+\s+tccd:\s+\[com\.apple\.TCC:[^\]]*\]\s+(.*)$/;

const CTX = /^AUTHREQ_CTX: msgID=([\d.]+),.*?\bservice=([^,\s]+)/;
const PREFLIGHT = /\bpreflight=(yes|no)\b/;
const PROMPTING = /^AUTHREQ_PROMPTING: msgID=([\d.]+), service=([^,\s]+), subject=Sub:\{([^}]*)\}/;
const SUBJECT = /^AUTHREQ_SUBJECT: msgID=([\d.]+), subject=(.*?),?\s*$/;
const RESULT = /^AUTHREQ_RESULT: msgID=([\d.]+), authValue=(\d+), authReason=(\d+)/;
/** Result lines that are no decision: "AUTHREQ_RESULT: msgID=…, service=…, user wants to learn more, redoing prompt …" (tccd strings). */
const RESULT_NO_DECISION = /^AUTHREQ_RESULT: msgID=[\d.]+, service=/;

interface Request {
  service?: string;
  subject?: string;
  preflight: boolean | null;
  lines: string[];
}

/**
 * tccd's lines from `log show` (compact or default style, e.g.
 * `log show --style compact --predicate 'subsystem == "com.apple.TCC" AND …'`) -> the decisions
 * about `clients` (bundle ids or paths). A request is joined across its AUTHREQ_CTX (service),
 * AUTHREQ_SUBJECT (subject), AUTHREQ_PROMPTING (both) and AUTHREQ_RESULT (value) lines by tccd's
 * process id and msgID together: the user and system tccd number their requests independently.
 * Lines of other apps are read and dropped (only counted), so nothing about them leaves the Mac.
 * The header, `log`'s banner and lines of other processes are ignored; an AUTHREQ line this parser
 * cannot read is a problem (the format changed), never a decision. A service or subject logged as
 * `<private>` names nothing and is dropped. Never throws; `ok: false` only when no line of the
 * text is a tccd line at all while it holds text.
 * Formats: recorded-macs/extra-captures/log-tcc-* (see SOURCES.md); message layouts also in tccd's
 * own format strings (`AUTHREQ_RESULT: msgID=%{public}@, authValue=%llu, authReason=%llu, …`).
 */
export function parseTccLog(text: string, clients: readonly string[]): ParseResult<TccLogRead> {
  const wanted = new Set(clients);
  const requests = new Map<string, Request>();
  const decisions: TccLogDecision[] = [];
  const problems: string[] = [];
  let tccdLines = 0;
  let otherLines = 0;

  forEachLine(text, (raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '') return;
    const m = COMPACT.exec(line) ?? DEFAULT.exec(line);
    if (!m) {
      if (line.includes('AUTHREQ_')) problems.push(`line ${i + 1}: an AUTHREQ line in no known layout: ${JSON.stringify(line.slice(0, 120))}`);
      else otherLines++;
      return;
    }
    tccdLines++;
    const [, at = '', pid = '', message = ''] = m;
    const request = (msgId: string): Request => {
      const key = `${pid}:${msgId}`;
      let r = requests.get(key);
      if (!r) requests.set(key, (r = { preflight: null, lines: [] }));
      return r;
    };
    const named = (v: string | undefined): string | undefined => (v && v !== '<private>' ? v : undefined);

    let c: RegExpExecArray | null;
    if ((c = CTX.exec(message))) {
      const r = request(c[1] ?? '');
      r.service = named(c[2]) ?? r.service;
      const p = PREFLIGHT.exec(message);
      if (p) r.preflight = p[1] === 'yes';
      r.lines.push(line);
    } else if ((c = PROMPTING.exec(message))) {
      const r = request(c[1] ?? '');
      r.service = named(c[2]) ?? r.service;
      r.subject = named(c[3]) ?? r.subject;
      r.lines.push(line);
    } else if ((c = SUBJECT.exec(message))) {
      const r = request(c[1] ?? '');
      r.subject = named(c[2]) ?? r.subject;
      r.lines.push(line);
    } else if ((c = RESULT.exec(message))) {
      const key = `${pid}:${c[1]}`;
      const r = requests.get(key);
      requests.delete(key);
      if (!r?.service || !r.subject || !wanted.has(r.subject)) return;
      const authValue = Number(c[2]);
      const authReason = Number(c[3]);
      decisions.push({
        service: r.service,
        client: r.subject,
        authValue,
        authValueName: authValueName(authValue),
        authReason,
        authReasonName: authReasonName(authReason),
        preflight: r.preflight,
        observedAt: at,
        lines: [...r.lines, line],
      });
    } else if (/^AUTHREQ_(CTX|PROMPTING|SUBJECT|RESULT):/.test(message) && !RESULT_NO_DECISION.test(message)) {
      problems.push(`line ${i + 1}: unreadable ${message.slice(0, message.indexOf(':'))} line: ${JSON.stringify(message.slice(0, 120))}`);
    }
  });

  if (tccdLines === 0 && problems.length === 0 && otherLines > 0 && !isLogPreamble(text)) {
    return failed('no tccd line in the output: not `log show` output of the com.apple.TCC subsystem', problems);
  }
  return parsed({ decisions, tccdLines }, problems);
}

/** Output with no event: the compact header, or `log`'s banner ("Filtering the log data using …", seen in a real ndjson capture's notes). */
function isLogPreamble(text: string): boolean {
  return text.split(/\r?\n/).every((l) => l.trim() === '' || /^Timestamp\s/.test(l) || /^Filtering the log data/.test(l));
}

/** The latest decision per (client, service): the state the log last showed, in first-seen order of the pairs. */
export function latestTccDecisions(decisions: readonly TccLogDecision[]): TccLogDecision[] {
  const latest = new Map<string, TccLogDecision>();
  for (const d of decisions) {
    const key = `${d.client}\u0000${d.service}`;
    latest.set(key, d);
  }
  return [...latest.values()];
}
