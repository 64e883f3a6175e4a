// The agent's launcher (apps/agent/bin/fleetmedic-agent) runs as root from a LaunchDaemon: it must
// refuse to hand root to a node binary or bundle that someone else can replace (found by the
// adversarial pass: the plist pointed at /usr/local/bin/node, which Homebrew gives to a user).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/agents.js';

/** A launcher beside a stand-in bundle that prints its arguments, in a fresh root-owned folder. */
function install(): { dir: string; run: (env?: Record<string, string>) => { status: number | null; out: string } } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-launcher-'));
  mkdirSync(path.join(dir, 'bin'));
  mkdirSync(path.join(dir, 'dist'));
  copyFileSync(path.join(REPO_ROOT, 'apps/agent/bin/fleetmedic-agent'), path.join(dir, 'bin/fleetmedic-agent'));
  writeFileSync(path.join(dir, 'dist/agent.mjs'), 'console.log("ran", process.argv.slice(2).join(" "));\n');
  for (const p of ['', 'bin', 'dist']) chmodSync(path.join(dir, p), 0o755);
  chmodSync(path.join(dir, 'bin/fleetmedic-agent'), 0o755);
  chmodSync(path.join(dir, 'dist/agent.mjs'), 0o644);
  return {
    dir,
    run: (env = {}) => {
      const r = spawnSync(path.join(dir, 'bin/fleetmedic-agent'), ['collect'], { env: { ...process.env, ...env }, encoding: 'utf8' });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    },
  };
}

describe.skipIf(process.getuid?.() !== 0)('agent launcher run as root', () => {
  it('runs a root-owned bundle with a root-owned node', () => {
    expect(install().run()).toEqual({ status: 0, out: 'ran collect\n' });
  });

  it('refuses a group-writable bundle and a node binary that is not root\'s alone, running nothing', () => {
    const writable = install();
    chmodSync(path.join(writable.dir, 'dist/agent.mjs'), 0o664);
    const refused = writable.run();
    expect(refused.status).toBe(78);
    expect(refused.out).toMatch(/^fleetmedic-agent: refusing to run as root: .*dist\/agent\.mjs must exist, belong to root and not be group- or world-writable/);
    expect(refused.out).not.toContain('ran collect');

    const other = install();
    const fakeNode = path.join(other.dir, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\necho "attacker code ran as $(id -u)"\n');
    chmodSync(fakeNode, 0o777);
    const swapped = other.run({ FLEETMEDIC_NODE: fakeNode });
    expect(swapped.status).toBe(78);
    expect(swapped.out).not.toContain('attacker code ran');
  });
});
