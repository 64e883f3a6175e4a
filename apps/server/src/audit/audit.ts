import type { Prisma } from '../generated/prisma/client.js';

/** A client or an open transaction: audit rows are written inside the change they describe. */
type AuditWriter = Pick<Prisma.TransactionClient, 'auditLog'>;

/** One admin action, e.g. `{ actor: 'alice-laptop', action: 'command.create', target: 'device:<id>', params: { type: 'tcc.reset' } }`. */
export interface AuditEntry {
  /** name of the admin token that acted, or `system` / `bootstrap` */
  actor: string;
  /** dotted verb: command.create, command.cancel, agent.outbox-dropped, enroll-secret.create, enroll-secret.revoke, admin-token.create, admin-token.revoke, policy.update */
  action: string;
  /** what it acted on, `kind:id` */
  target?: string;
  /** the parameters, never a secret */
  params?: Prisma.InputJsonValue;
}

/** Writes one AuditLog row. Call it with the transaction that makes the change, so both commit or neither. */
export async function audit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({ data: { actor: entry.actor, action: entry.action, target: entry.target ?? null, params: entry.params } });
}
