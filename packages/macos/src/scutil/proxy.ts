import type { ProxyFacts, ProxySetting } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';

const KINDS = [
  { kind: 'http', prefix: 'HTTP' },
  { kind: 'https', prefix: 'HTTPS' },
  { kind: 'socks', prefix: 'SOCKS' },
] as const;

/**
 * `scutil --proxy` stdout -> the system proxy configuration.
 *
 * Format (captures: recorded-macs/extra-captures/scutil-proxy-*): SystemConfiguration's dictionary
 * dump, `<dictionary> {`, one `Key : value` per line, nested `<array> {` / `<dictionary> {` blocks
 * closed by `}`. Read: HTTP/HTTPS/SOCKS `…Enable`, `…Proxy`, `…Port`; `ProxyAutoConfigEnable`,
 * `ProxyAutoConfigURLString`; `ProxyAutoDiscoveryEnable`; `ExceptionsList` items. Only top-level
 * keys count: `__SCOPED__` holds per-interface copies that are not the effective setting.
 * A missing `…Enable` key means off (a Mac with no proxy prints none). Fails on output with no
 * `<dictionary> {` line; an enabled proxy with no host, or a port that is not a number, is a problem.
 * Linear in the input size.
 */
export function parseScutilProxy(stdout: string): ParseResult<ProxyFacts> {
  const problems: string[] = [];
  const top = new Map<string, string>();
  const exceptions: string[] = [];
  let opened = false;
  let depth = 0;
  let inExceptions = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!opened) {
      if (line === '<dictionary> {') {
        opened = true;
        depth = 1;
      }
      continue;
    }
    if (line === '}') {
      depth -= 1;
      if (depth <= 1) inExceptions = false;
      if (depth === 0) break;
      continue;
    }
    const colon = line.indexOf(' : ');
    if (colon < 0) {
      problems.push(`line not read: ${quote(line)}`);
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 3).trim();
    const opens = value.endsWith('{');
    if (depth === 1) {
      if (opens) inExceptions = key === 'ExceptionsList';
      else top.set(key, value);
    } else if (depth === 2 && inExceptions && !opens) {
      exceptions.push(value);
    }
    if (opens) depth += 1;
  }
  if (!opened) return failed('no "<dictionary> {" line: not scutil --proxy output');
  if (depth > 0) problems.push('the dictionary is not closed: output cut short');

  const proxies: ProxySetting[] = [];
  for (const { kind, prefix } of KINDS) {
    if (top.get(`${prefix}Enable`) !== '1') continue;
    const host = top.get(`${prefix}Proxy`);
    if (!host) {
      problems.push(`${prefix}Enable is 1 but ${prefix}Proxy is missing`);
      continue;
    }
    proxies.push({ kind, host, port: port(top.get(`${prefix}Port`), `${prefix}Port`, problems) });
  }
  const pacOn = top.get('ProxyAutoConfigEnable') === '1';
  const pacUrl = pacOn ? (top.get('ProxyAutoConfigURLString') ?? null) : null;
  if (pacOn && pacUrl === null) problems.push('ProxyAutoConfigEnable is 1 but ProxyAutoConfigURLString is missing');
  return parsed({ proxies, pacUrl, autoDiscovery: top.get('ProxyAutoDiscoveryEnable') === '1', exceptions }, problems);
}

function port(value: string | undefined, key: string, problems: string[]): number | null {
  if (value === undefined) return null;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isInteger(n) && n <= 65_535) return n;
  problems.push(`${key} ${quote(value)} is not a port number`);
  return null;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
