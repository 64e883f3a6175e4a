import { failed, parsed, type ParseResult } from '../result.js';

/** `{ sec = 1780435744, usec = 167386 }`: the timeval sysctl prints for kern.boottime (anchored on "{" so "usec" is never read as "sec"). */
const TIMEVAL = /\{\s*sec\s*=\s*(\d{1,12}),\s*usec\s*=\s*(\d{1,6})\s*\}/;

/**
 * `sysctl -n kern.boottime` -> the boot time as ISO 8601 UTC with milliseconds, e.g.
 * "2026-06-02T21:29:04.167Z". The line is `{ sec = <epoch s>, usec = <µs> } <local ctime>`; only the
 * timeval is read (the ctime is in the Mac's time zone). Fails when no timeval is found (a sandbox
 * answers "sysctl: … Operation not permitted" on stderr and nothing on stdout) or sec is 0.
 * Sources: recorded-macs/extra-captures/sysctl-kern.boottime-*.
 */
export function parseKernBoottime(text: string): ParseResult<string> {
  const m = TIMEVAL.exec(text);
  if (!m) return failed('no "{ sec = …, usec = … }" in sysctl kern.boottime output');
  const ms = Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000);
  if (ms === 0) return failed('kern.boottime is 0: no boot time');
  return parsed(new Date(ms).toISOString());
}
