import type { AdminToken, PrismaClient } from '../generated/prisma/client.js';
import { CHANNELS, type NotifyBus } from '../cluster/notify-bus.js';

/** How long a kept token row is trusted without a notification, ms: a token changed in SQL, outside the API, is read again within this. */
const TOKEN_CACHE_MS = 60_000;

/**
 * The API tokens in use, by hash, kept between changes. Every API call checks its token, and a
 * read per call was one more turn of the event loop on each command's path (in a burst of
 * reports a turn lasts 0.3–0.7 s). Revoking through the API NOTIFYs `fleetmedic_tokens` in its
 * transaction, and every instance (this one too) drops its copies when that arrives, or when its
 * LISTEN connection came back (a notification may have been missed); a copy older than
 * TOKEN_CACHE_MS is read again. While the bus is not listening every check reads the row. Unknown
 * tokens are not kept: a token created a moment ago works at once.
 */
export class ApiTokenCache {
  private readonly rows = new Map<string, { row: AdminToken; at: number }>();
  /** bumped by every forget: a read that began before it is not kept */
  private generation = 0;

  /**
   * @param prisma where AdminToken rows are read (the command pool)
   * @param bus says when a token was revoked on any instance
   * @param now the clock, ms
   */
  constructor(private readonly prisma: PrismaClient, private readonly bus: NotifyBus, private readonly now: () => number = Date.now) {
    bus.on(CHANNELS.tokens, () => this.forget());
    bus.onReconnect(() => this.forget());
  }

  /** The AdminToken row with this sha256 hex hash, or null. Throws the database's error. */
  async find(tokenHash: string): Promise<AdminToken | null> {
    const kept = this.rows.get(tokenHash);
    if (kept && this.bus.state === 'listening' && this.now() - kept.at < TOKEN_CACHE_MS) return kept.row;
    const generation = this.generation;
    const at = this.now();
    const row = await this.prisma.adminToken.findUnique({ where: { tokenHash } });
    if (generation === this.generation) {
      if (row) this.rows.set(tokenHash, { row, at });
      else this.rows.delete(tokenHash);
    }
    return row;
  }

  /** Drops every copy (a token was revoked): the next check of each reads its row. */
  forget(): void {
    this.generation += 1;
    this.rows.clear();
  }
}
