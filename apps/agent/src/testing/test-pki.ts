import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A root CA and a leaf it signed, PEM. The root stands for a TLS-inspection product's root installed on a Mac. */
export interface TestPki {
  rootPem: string;
  leafPem: string;
  leafKeyPem: string;
}

/**
 * Makes a fresh test root ("FleetMedic Test Inspection Root") and a leaf for 127.0.0.1 / zoom.test
 * with the openssl CLI in a temp folder (removed after). Nothing leaves this machine.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-pki-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('root.key'), '-out', f('root.pem'),
      '-days', '2', '-subj', '/CN=FleetMedic Test Inspection Root/O=FleetMedic Tests', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=zoom.test');
    writeFileSync(f('leaf.ext'), 'subjectAltName=DNS:zoom.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    ssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '2', '-extfile', f('leaf.ext'));
    return { rootPem: readFileSync(f('root.pem'), 'utf8'), leafPem: readFileSync(f('leaf.pem'), 'utf8'), leafKeyPem: readFileSync(f('leaf.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
