// Where the package puts the agent on a Mac: the paths, owners and modes that apps/agent/README.md
// ("Install on a Mac", "Operate") decided. One list for the staging step, its tests and the admin docs;
// the install scripts (scripts/, uninstall.sh) name the same paths in sh.

/** The LaunchDaemon's label, the package identifier and the receipt `pkgutil --forget` drops. */
export const LABEL = 'com.fleetmedic.agent';

/** The agent's folder on the Mac: its own node, bin/ (the launcher), dist/ (the bundle), uninstall.sh. */
export const INSTALL_DIR = '/usr/local/fleetmedic';

/** The node binary the LaunchDaemon runs (FLEETMEDIC_NODE) and the PPPC profile grants Full Disk Access. */
export const NODE_PATH = `${INSTALL_DIR}/node`;

/** A private CA's certificates (PEM) the agent trusts besides Node's own list: NODE_EXTRA_CA_CERTS, when packaged with --ca-cert. */
export const CA_CERT_PATH = `${INSTALL_DIR}/ca.pem`;

/** The LaunchDaemon plist. */
export const DAEMON_PLIST_PATH = `/Library/LaunchDaemons/${LABEL}.plist`;

/**
 * Log rotation for the daemon's log. Staged under /private/etc: on a Mac /etc is a symbolic link to
 * /private/etc, and a payload folder named etc would collide with that link.
 */
export const NEWSYSLOG_PATH = '/private/etc/newsyslog.d/fleetmedic-agent.conf';

/**
 * Every payload entry below the install location `/`, with its mode; dist/'s files are added as
 * built (folders 755, files 644). Owners are not staged: pkgbuild's `--ownership recommended`
 * installs every entry as root:wheel whoever built it. Folders that macOS already has carry
 * macOS's own mode (755), so installing never loosens or tightens them.
 * @type {ReadonlyArray<{ path: string, mode: number, kind: 'dir' | 'file' }>}
 */
export const PAYLOAD_ENTRIES = [
  { path: 'Library', mode: 0o755, kind: 'dir' },
  { path: 'Library/LaunchDaemons', mode: 0o755, kind: 'dir' },
  { path: DAEMON_PLIST_PATH.slice(1), mode: 0o644, kind: 'file' },
  { path: 'private', mode: 0o755, kind: 'dir' },
  { path: 'private/etc', mode: 0o755, kind: 'dir' },
  { path: 'private/etc/newsyslog.d', mode: 0o755, kind: 'dir' },
  { path: NEWSYSLOG_PATH.slice(1), mode: 0o644, kind: 'file' },
  { path: 'usr', mode: 0o755, kind: 'dir' },
  { path: 'usr/local', mode: 0o755, kind: 'dir' },
  { path: INSTALL_DIR.slice(1), mode: 0o755, kind: 'dir' },
  // Root's alone: only root can start the binary that holds Full Disk Access.
  { path: NODE_PATH.slice(1), mode: 0o700, kind: 'file' },
  { path: `${INSTALL_DIR.slice(1)}/bin`, mode: 0o755, kind: 'dir' },
  { path: `${INSTALL_DIR.slice(1)}/bin/fleetmedic-agent`, mode: 0o755, kind: 'file' },
  { path: `${INSTALL_DIR.slice(1)}/uninstall.sh`, mode: 0o755, kind: 'file' },
  { path: `${INSTALL_DIR.slice(1)}/dist`, mode: 0o755, kind: 'dir' },
];

/** Mode of each folder and file esbuild writes into dist/. */
export const DIST_DIR_MODE = 0o755;
export const DIST_FILE_MODE = 0o644;

/** The install scripts pkgbuild runs (`--scripts`), executable. */
export const SCRIPT_NAMES = ['preinstall', 'postinstall'];
