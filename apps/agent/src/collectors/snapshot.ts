import { DEFAULT_POLICY, SECTION_NAMES, type Policy, SNAPSHOT_SCHEMA_VERSION, Snapshot, validator, type SectionName, type Sections, type TccLogReset } from '@fleetmedic/protocol';
import { macSectionsSupported } from '../platform/sources.js';
import type { CommandRunner } from '../runner/types.js';
import { AGENT_VERSION } from '../version.js';
import { collectHost } from './host.js';
import { collectOs } from './os.js';
import { unsupportedSections } from './section.js';
import { serverPlan, zoomPlan } from '../probes/plans.js';
import type { NetworkPlans } from './network.js';
import { SECTION_COLLECTORS, type CollectContext } from './table.js';
import type { SoftwareUpdateCache } from './software-update-cache.js';

/** A recorded Mac keeps its server answers under a fixed name (net/dns/server.json, net/connect/server.json): probe "the server" even without a URL. */
const recordedServer = (runner: CommandRunner): string | undefined => (runner.recorded ? 'wss://fleetmedic-server' : undefined);

export interface CollectOptions {
  /** Where Zoom is looked for; default DEFAULT_POLICY.zoomAppPath (/Applications/zoom.us.app). */
  zoomAppPath?: string;
  /** Zoom probe targets (network section); default DEFAULT_POLICY's. */
  policy?: Pick<Policy, 'zoomHosts' | 'zoomEndpoints'>;
  /** The FleetMedic server the agent reports to, probed so "no network at all" is told from "Zoom blocked". */
  serverUrl?: string;
  /** Clock, for tests. */
  now?: () => Date;
  /** tcc.reset runs the agent completed, reported beside the unified log's TCC decisions. */
  tccResets?: readonly TccLogReset[];
  /** Keeps `softwareupdate --list` between collections (at most one run a day); none: run every time. */
  softwareUpdateCache?: SoftwareUpdateCache;
}

/** A collected snapshot that does not match the protocol schema: a bug in the agent, never sent. */
export class InvalidSnapshotError extends Error {
  override name = 'InvalidSnapshotError';
  constructor(readonly errors: string[]) {
    super(`collected snapshot does not match the protocol: ${errors.join('; ')}`);
  }
}

const checkSnapshot = validator(Snapshot);

/**
 * One collection cycle: host facts and every registered section, validated against the protocol's
 * Snapshot schema. On a platform other than macOS the Mac sections are `unsupported`
 * ("not macOS (linux)"). Section collectors never throw; a schema mismatch throws InvalidSnapshotError.
 */
export async function collectSnapshot(runner: CommandRunner, opts: CollectOptions = {}): Promise<Snapshot> {
  const host = await collectHost(runner);
  const network: NetworkPlans = { zoom: zoomPlan(opts.policy ?? DEFAULT_POLICY), server: serverPlan(opts.serverUrl ?? recordedServer(runner)) };
  const now = opts.now?.() ?? new Date();
  const sections = await collectSections(runner, {
    zoomAppPath: opts.zoomAppPath ?? DEFAULT_POLICY.zoomAppPath, tccResets: opts.tccResets ?? [], network, now,
    ...(opts.softwareUpdateCache ? { softwareUpdateCache: opts.softwareUpdateCache } : {}),
  });
  const snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: now.toISOString(),
    agentVersion: AGENT_VERSION,
    host,
    sections,
  };
  const checked = checkSnapshot(withoutNul(snapshot));
  if (!checked.ok) throw new InvalidSnapshotError(checked.errors);
  return checked.value;
}

/**
 * The snapshot with NUL characters (seen in command output, e.g. a mangled `--listapps` path)
 * replaced by U+FFFD: Postgres text cannot store them, and the rest of the string still tells the
 * admin what was there. Costs a JSON pass only when a NUL is present.
 */
function withoutNul<T>(value: T): T {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000')) return value;
  return JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '\uFFFD') : v)) as T;
}

async function collectSections(runner: CommandRunner, opts: Omit<CollectContext, 'runner' | 'productVersion'>): Promise<Sections> {
  const support = macSectionsSupported(runner.platform);
  if (!support.supported) {
    return unsupportedSections(support.reason);
  }
  const os = await collectOs(runner);
  const ctx: CollectContext = { ...opts, runner, productVersion: os.data?.productVersion ?? null };
  // Independent sources: read them side by side.
  const others = SECTION_NAMES.filter((n): n is Exclude<SectionName, 'os'> => n !== 'os');
  const read = await Promise.all(others.map((n) => SECTION_COLLECTORS[n](ctx)));
  return Object.fromEntries([['os', os], ...others.map((n, i) => [n, read[i]])]) as Sections;
}
