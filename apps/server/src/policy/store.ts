import type { Policy } from '@fleetmedic/protocol';
import { resolvePolicy } from '@fleetmedic/diagnosis';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { badRequest } from '../errors.js';

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
 * configured partial policy over DEFAULT_POLICY. Read from the database each time, so every
 * instance diagnoses with the same policy.
 */
export class PolicyStore {
  constructor(private readonly prisma: PrismaClient, private readonly configured: Partial<Policy> = {}) {}

  async current(): Promise<StoredPolicy> {
    const row = await this.prisma.policy.findUnique({ where: { id: POLICY_ID } });
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
    const before = await this.current();
    const data = policy as unknown as Prisma.InputJsonValue;
    await this.prisma.$transaction(async (tx) => {
      await tx.policy.upsert({
        where: { id: POLICY_ID },
        create: { id: POLICY_ID, data, updatedBy: actor, updatedAt: new Date() },
        update: { data, updatedBy: actor, updatedAt: new Date() },
      });
      await audit(tx, { actor, action: 'policy.update', target: `policy:${POLICY_ID}`, params: { before: before.policy, after: policy } as unknown as Prisma.InputJsonValue });
    });
    return this.current();
  }
}
