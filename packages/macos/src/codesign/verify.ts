import type { CodeSignatureCheck, CodeSignatureVerdict } from '@fleetmedic/protocol';
import { forEachLine } from '../lines.js';
import { failed, parsed, type ParseResult } from '../result.js';

/** Failure sentences `codesign --verify` prints after "<path>: ", by verdict (Security framework's wording). */
const FAILURES: [RegExp, CodeSignatureVerdict][] = [
  [/^a sealed resource is missing or invalid$/, 'sealed-resource'],
  [/^invalid signature \(code or signature have been modified\)$/, 'invalid-signature'],
  [/^code object is not signed at all$/, 'not-signed'],
];
const VALID = /: (valid on disk|satisfies its Designated Requirement)$/;
/** Lines that explain a failure: the sealed files that changed, the slice, the nested code. */
const DETAIL = /^(file (added|modified|missing): |In architecture: |In subcomponent: )/;
const REQUIREMENT_FAILED = /^test-requirement: (code failed to satisfy specified code requirement\(s\))$/;
/** Shell prompts and the nested-code progress lines of --verbose=2 carry no verdict. */
const NOISE = /^(--prepared:|--validated:|\$ |% |\u279c |\S+@\S+ .*% )|explicit requirement satisfied$/;

/**
 * `codesign --verify --deep --strict --verbose=2 <app>` (its stderr) and exit status -> CodeSignatureCheck.
 * Valid: "<path>: valid on disk" and "<path>: satisfies its Designated Requirement" (exit 0).
 * Invalid: "<path>: <reason>" with reason "a sealed resource is missing or invalid", "invalid signature
 * (code or signature have been modified)" or "code object is not signed at all", then detail lines
 * (`file modified: …`, `In architecture: arm64`, `In subcomponent: …`); any other "<path>: <text>" on a
 * non-zero exit is kept as verdict `other` with that text. Without verdict lines, exit 0 reads as valid
 * (a problem says so) and anything else fails. Sources: recorded-macs/extra-captures/codesign-verify-*.
 */
export function parseCodesignVerify(stderr: string, exitCode: number | null): ParseResult<CodeSignatureCheck> {
  const problems: string[] = [];
  let validLines = 0;
  // Typed by assertion: assignments happen inside the line callback, which narrowing does not follow.
  let failure = null as { verdict: CodeSignatureVerdict; reason: string } | null;
  const details: string[] = [];
  forEachLine(stderr, (raw) => {
    const line = raw.trim();
    if (!line || NOISE.test(line)) return;
    if (DETAIL.test(line)) {
      details.push(line);
      return;
    }
    const requirement = REQUIREMENT_FAILED.exec(line);
    if (requirement) {
      failure ??= { verdict: 'requirement-failed', reason: requirement[1]! };
      return;
    }
    if (VALID.test(line)) {
      validLines++;
      return;
    }
    const sep = line.lastIndexOf(': ');
    if (sep <= 0) return;
    const text = line.slice(sep + 2);
    const known = FAILURES.find(([re]) => re.test(text));
    if (known) failure ??= { verdict: known[1], reason: text };
    else if (exitCode !== 0) failure ??= { verdict: 'other', reason: text };
  });
  if (failure) {
    if (exitCode === 0) problems.push(`codesign reported "${failure.reason}" but exited 0`);
    return parsed({ valid: false, verdict: failure.verdict, reason: failure.reason, details }, problems);
  }
  if (validLines > 0 || exitCode === 0) {
    if (validLines === 0) problems.push('codesign printed no verdict (run without --verbose?): exit status 0 read as valid');
    if (exitCode !== 0 && exitCode !== null) problems.push(`codesign printed "valid on disk" but exited ${exitCode}`);
    return parsed({ valid: exitCode === 0 || exitCode === null, verdict: 'valid', reason: null, details }, problems);
  }
  return failed(`no verdict in codesign --verify output${exitCode === null ? '' : ` (exit ${exitCode})`}`, problems);
}
