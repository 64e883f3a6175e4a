import type { VpnService } from '@fleetmedic/protocol';
import { failed, parsed, type ParseResult } from '../result.js';

const HEADER = 'Available network connection services in the current set';
/** `VPN (io.tailscale.ipn.macsys)` in the kind column, `VPN:io.tailscale.ipn.macsys` in the type column. */
const KIND_BUNDLE = /^VPN \(([^()\s]+)\)$/;

/**
 * `scutil --nc list` stdout -> the network connection (VPN) services of the current set.
 *
 * Format (captures: recorded-macs/extra-captures/scutil-nc-list-*): the header
 * `Available network connection services in the current set (*=enabled):`, then one line per
 * service: `* (Connected)      <id> <kind> "<name>"   [<type>]`, `*` for an enabled service
 * (a space otherwise), the state in parentheses, columns padded with runs of spaces. The kind is
 * `PPP --> L2TP`, `IPSec`, `VPN (<provider bundle id>)`, …; the type `[PPP:L2TP]`, `[VPN:<id>]`.
 * Only the header: no service. Fails without the header; lines that are not services are problems.
 * Linear in the input size.
 */
export function parseNcList(stdout: string): ParseResult<VpnService[]> {
  const services: VpnService[] = [];
  const problems: string[] = [];
  let header = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (!header) {
      header = line.startsWith(HEADER);
      continue;
    }
    const service = readService(line);
    if (typeof service === 'string') problems.push(`${service}: ${quote(line)}`);
    else services.push(service);
  }
  if (!header) return failed(`no "${HEADER}" line: not scutil --nc list output`);
  return parsed(services, problems);
}

function readService(line: string): VpnService | string {
  const mark = line[0];
  if ((mark !== '*' && mark !== ' ') || line[1] !== ' ' || line[2] !== '(') return 'not a service line';
  const close = line.indexOf(')', 3);
  if (close < 0) return 'no ")" after the state';
  const state = line.slice(3, close).trim();
  const rest = line.slice(close + 1).trim();
  const space = rest.search(/\s/);
  const idEnd = space < 0 ? rest.length : space;
  if (idEnd === 0) return 'no service id';
  const id = rest.slice(0, idEnd);
  let body = rest.slice(idEnd).trim();
  let type: string | null = null;
  if (body.endsWith(']') && body.lastIndexOf('[') >= 0) {
    type = body.slice(body.lastIndexOf('[') + 1, -1);
    body = body.slice(0, body.lastIndexOf('[')).trim();
  }
  const first = body.indexOf('"');
  const last = body.lastIndexOf('"');
  if (first < 0 || last <= first) return 'no quoted name';
  const kind = body.slice(0, first).trim();
  const name = body.slice(first + 1, last);
  const bundleId = KIND_BUNDLE.exec(kind)?.[1] ?? (type?.startsWith('VPN:') ? type.slice(4) : null);
  return { id, name, state, enabled: mark === '*', kind, bundleId };
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
