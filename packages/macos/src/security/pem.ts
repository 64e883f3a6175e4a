import { failed, parsed, type ParseResult } from '../result.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/**
 * `security find-certificate -a -p <keychain>` stdout -> the certificates it printed, each as one
 * PEM block (RFC 7468 "CERTIFICATE" blocks, concatenated; no capture of a real keychain is kept:
 * the blocks are the standard format, other lines are skipped). An empty keychain prints nothing:
 * an empty list. A block without its END line is a problem and is dropped. Linear in the input size.
 */
export function parsePemCertificates(stdout: string): ParseResult<string[]> {
  const blocks: string[] = [];
  const problems: string[] = [];
  let at = stdout.indexOf(BEGIN);
  // The next END is searched again only once passed: a run of BEGIN lines stays linear.
  let end = -1;
  while (at >= 0) {
    if (end < at) end = stdout.indexOf(END, at);
    if (end < 0) {
      problems.push(`a certificate at offset ${at} has no END line`);
      break;
    }
    const next = stdout.indexOf(BEGIN, at + BEGIN.length);
    if (next >= 0 && next < end) {
      problems.push(`a certificate at offset ${at} has no END line`);
      at = next;
      continue;
    }
    blocks.push(`${stdout.slice(at, end + END.length)}\n`);
    at = next;
  }
  if (blocks.length === 0 && stdout.trim() !== '' && problems.length === 0) return failed('no "-----BEGIN CERTIFICATE-----" block');
  return parsed(blocks, problems);
}
