// The macOS tools that turn the staged payload into what the MDM takes: pkgbuild makes the
// component package, productbuild wraps it in a product archive (MDM's InstallEnterpriseApplication
// and most MDMs want one), both signed with the admin's "Developer ID Installer" when given (a Developer ID signature
// carries a trusted timestamp by default).
import { LABEL } from './layout.mjs';

/**
 * pkgbuild's arguments for the component package: the payload installs under `/`, every file
 * root:wheel (`--ownership recommended`, whoever staged it), the scripts run as root.
 * @param {{ root: string, scripts: string, version: string, signIdentity: string | undefined, output: string }} p
 * @returns {string[]}
 */
export function pkgbuildArgs(p) {
  return [
    '--root', p.root,
    '--scripts', p.scripts,
    '--identifier', LABEL,
    '--version', p.version,
    '--install-location', '/',
    '--ownership', 'recommended',
    ...(p.signIdentity === undefined ? [] : ['--sign', p.signIdentity]),
    p.output,
  ];
}

/**
 * productbuild's arguments for the product archive around `component`.
 * @param {{ component: string, signIdentity: string | undefined, output: string }} p
 * @returns {string[]}
 */
export function productbuildArgs(p) {
  return ['--package', p.component, ...(p.signIdentity === undefined ? [] : ['--sign', p.signIdentity]), p.output];
}
