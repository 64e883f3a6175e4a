import type { Policy } from '@fleetmedic/protocol';
import { resolvePolicy } from '@fleetmedic/diagnosis';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { badRequest } from '../errors.js';
import { CHANNELS, type NotifyBus } from '../cluster/notify-bus.js';

const POLICY_ID = 'default';

/** The policy in force and where it came from. */
export interface StoredPolicy {
  policy: Policy;
  /** `stored` (an admin set it), or `config` (defaults plus the server's config) */
  source: 'stored' | 'config';
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * The diagnosis policy: the Policy row `default` when an admin stored one, else the server's
 * configured partial policy over DEFAULT_POLICY. Kept in memory between changes: every command
 * is checked against it and every ingest batch diagnoses with it, so a read per use was a round
 * trip on each command's path. An update NOTIFYs `fleetmedic_policy` in its transaction, and
 * every instance (this one too) drops its copy when that arrives, or when its LISTEN connection
 * came back (a notification may have been missed), and reads the row again at the next use.
 * While the bus is not listening (starting, reconnecting, closed) every use reads the row.
 */
export class PolicyStore {
  private cached: Promise<StoredPolicy> | null = null;

  /**
   * @param prisma where the Policy row is read and written (the command pool: commands never wait behind ingest)
   * @param configured the server's configured partial policy, used while no row is stored
   * @param bus the cluster's notify bus, which says when another instance changed the policy
   */
  constructor(private readonly prisma: PrismaClient, private readonly configured: Partial<Policy>, private readonly bus: NotifyBus) {
    bus.on(CHANNELS.policy, () => this.forget());
    bus.onReconnect(() => this.forget());
  }

  /** The policy in force; reads the database only after a change (or a lost LISTEN connection). Throws the database's error (nothing cached). */
  current(): Promise<StoredPolicy> {
    if (this.bus.state !== 'listening') return this.read(); // a change would not be heard
    if (!this.cached) {
      const reading = this.read();
      this.cached = reading;
      reading.catch(() => {
        if (this.cached === reading) this.cached = null;
      });
    }
    return this.cached;
  }

  private forget(): void {
    this.cached = null;
  }

  private async read(db: Pick<PrismaClient, 'policy'> = this.prisma): Promise<StoredPolicy> {
    const row = await db.policy.findUnique({ where: { id: POLICY_ID } });
    if (!row) return { policy: resolvePolicy(this.configured), source: 'config', updatedAt: null, updatedBy: null };
    return { policy: resolvePolicy(row.data as Partial<Policy>), source: 'stored', updatedAt: row.updatedAt.toISOString(), updatedBy: row.updatedBy };
  }

  /**
   * Validates `partial` with resolvePolicy (400 with every problem when invalid), stores the full
   * policy and audits `policy.update` with the old and new values. Devices are re-diagnosed with
   * it at their next report.
   */
  async update(partial: Partial<Policy>, actor: string): Promise<StoredPolicy> {
    let policy: Policy;
    try {
      policy = resolvePolicy(partial);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const data = policy as unknown as Prisma.InputJsonValue;
    await this.prisma.$transaction(async (tx) => {
      const before = await this.read(tx); // the row, not this instance's copy (another may have changed it)
      await tx.policy.upsert({
        where: { id: POLICY_ID },
        create: { id: POLICY_ID, data, updatedBy: actor, updatedAt: new Date() },
        update: { data, updatedBy: actor, updatedAt: new Date() },
      });
      await audit(tx, { actor, action: 'policy.update', target: `policy:${POLICY_ID}`, params: { before: before.policy, after: policy } as unknown as Prisma.InputJsonValue });
      await tx.$executeRaw`SELECT pg_notify(${CHANNELS.policy}, '')`; // delivered at commit, to every instance
    });
    this.forget(); // read our own write now, not when the notification comes back
    return this.current();
  }
}
