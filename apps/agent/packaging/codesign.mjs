// The designated requirement of a signed binary, from `codesign -d -r - <file>` (macOS only).
// Format, from real output (recorded-macs/extra-captures/SOURCES.md, codesign rows): an
// `Executable=<path>` line (on stderr), then `designated => <requirement>` (on stdout); an
// ad-hoc signature has only an implicit requirement, which codesign prints commented out:
// `# designated => cdhash H"..."`; an unsigned file: `<path>: code object is not signed at all`.

const PREFIX = 'designated => ';

/**
 * The requirement after `designated => ` in codesign's output (stdout and stderr together).
 * Never throws: ad-hoc (a cdhash, new with every build of node, so the grant would not survive an
 * update), unsigned and unreadable output come back as `error`.
 * @param {string} output
 * @returns {{ ok: true, value: string } | { ok: false, error: string }}
 */
export function parseDesignatedRequirement(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const line = lines.find((l) => l.startsWith(PREFIX));
  if (line !== undefined && line.length > PREFIX.length) return { ok: true, value: line.slice(PREFIX.length) };
  if (lines.some((l) => l.startsWith(`# ${PREFIX}cdhash`))) {
    return { ok: false, error: 'ad-hoc signed: its requirement is a cdhash that changes with every build, so Full Disk Access would not survive a node update; use nodejs.org\'s node (signed with the Node.js Developer ID)' };
  }
  if (lines.some((l) => l.endsWith('code object is not signed at all'))) return { ok: false, error: 'not signed at all' };
  return { ok: false, error: `codesign printed no designated requirement: ${JSON.stringify(output.slice(0, 200))}` };
}
