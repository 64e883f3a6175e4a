import pRetry, { AbortError } from 'p-retry';
import { Prisma } from '../generated/prisma/client.js';

/** Postgres SQLSTATEs that mean "run the transaction again": deadlock_detected, serialization_failure. */
const RETRYABLE = ['40P01', '40001'];

/**
 * True for an error Postgres raised because of concurrent transactions (a deadlock or a
 * serialization failure), as Prisma reports it: P2034 for its own transactions, P2010 (raw
 * query failed) with the SQLSTATE in the message or the driver adapter's cause.
 */
export function isTransactionConflict(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2034') return true;
  const text = `${err.message} ${JSON.stringify(err.meta ?? {})}`;
  return RETRYABLE.some((code) => text.includes(code));
}

/**
 * True for a unique-key violation (Postgres 23505; Prisma P2002, or P2010 for raw SQL): two
 * writers of one key raced, e.g. two deliveries of one report id.
 */
export const isUniqueViolation = (err: unknown): boolean =>
  (err instanceof Prisma.PrismaClientKnownRequestError && (err.code === 'P2002' || (err.code === 'P2010' && /23505/.test(JSON.stringify(err.meta ?? {})))))
  || /23505|unique constraint/i.test(String((err as Error)?.message ?? ''));

/**
 * Runs `work` (a transaction or one statement: it must be safe to run again from the start) and
 * runs it again, up to `retries` times after 20-200 ms, while it fails with a transaction
 * conflict (isTransactionConflict). Any other error is thrown at once; the last conflict after
 * the retries are spent is thrown too.
 */
export function retryOnConflict<T>(work: () => Promise<T>, retries = 3): Promise<T> {
  return pRetry(async () => {
    try {
      return await work();
    } catch (err) {
      throw isTransactionConflict(err) ? err : new AbortError(err as Error);
    }
  }, { retries, minTimeout: 20, maxTimeout: 200, randomize: true });
}
