import { createPrivateKey, generateKeyPairSync, hkdfSync, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { MAX_RETIREMENTS_SENT, commandSigningPayload, keyAnnouncementPayload, keyRetirementPayload, type CommandEnvelope, type KeyAnnouncement, type KeyRetirement, type ServerKeysMessage } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import type { PrismaClient, ServerSigningKey } from '../generated/prisma/client.js';
import { isSealed, openSealedKey, sealKey } from './sealed-key.js';

/** The fleet's first key row, made by the first server that needs a key. */
export const FIRST_KEY_ROW = 'primary';

/** A command envelope before signing. */
export type UnsignedEnvelope = Omit<CommandEnvelope, 'signature' | 'keyId'>;

/**
 * One Ed25519 command-signing key with its private half. `publicKey` is the raw 32-byte key,
 * base64url (the JWK "x" value), as agents pin it from EnrollResponse.serverPublicKey; `keyId` is
 * keyIdOf(publicKey), which every envelope it signs carries.
 */
export class SigningKey {
  readonly keyId: string;

  constructor(readonly publicKey: string, private readonly privateKey: KeyObject) {
    this.keyId = keyIdOf(publicKey);
  }

  /** Ed25519 signature of `commandSigningPayload(envelope)`, 64 bytes, base64url. */
  sign(envelope: UnsignedEnvelope): string {
    return this.signText(commandSigningPayload(envelope));
  }

  /** Ed25519 signature of UTF-8 `text`, base64url. */
  signText(text: string): string {
    return sign(null, Buffer.from(text, 'utf8'), this.privateKey).toString('base64url');
  }

  /**
   * `sign` of each envelope (same order), computed in libuv's thread pool POOL_SLICE at a time: a
   * batch of thousands runs on every core while the event loop goes on with acks and reports
   * (20,000 envelopes: 0.8 s with the loop free, against 1.8–2.1 s holding it, on the 2 CPUs
   * under load; docs/performance.md). A few (ON_LOOP_MAX) are signed on the loop: a single command's
   * delivery does not wait behind a batch's slices in the pool. Rejects with node:crypto's error.
   */
  async signAll(envelopes: readonly UnsignedEnvelope[]): Promise<string[]> {
    if (envelopes.length <= ON_LOOP_MAX) return envelopes.map((e) => this.sign(e));
    const out: string[] = [];
    for (let i = 0; i < envelopes.length; i += POOL_SLICE) {
      const slice = envelopes.slice(i, i + POOL_SLICE).map((e) => signInPool(Buffer.from(commandSigningPayload(e), 'utf8'), this.privateKey));
      for (const signature of await Promise.all(slice)) out.push(signature.toString('base64url'));
    }
    return out;
  }

  /**
   * A 32-byte secret derived from the private key for one other use, named by `label` (HKDF-SHA256,
   * so it reveals nothing of the signing key and differs per label). Stable while the key is.
   */
  derivedSecret(label: string): Buffer {
    const d = this.privateKey.export({ format: 'jwk' }).d!;
    return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), label, 32));
  }

  /** The envelope with its signature and this key's id. */
  signEnvelope(envelope: UnsignedEnvelope): CommandEnvelope {
    return { ...envelope, signature: this.sign(envelope), keyId: this.keyId };
  }

  /** This key vouching for `next` (an announcement agents that pin this key accept). */
  announce(next: { publicKey: string }): KeyAnnouncement {
    const keyId = keyIdOf(next.publicKey);
    return { keyId, publicKey: next.publicKey, signedBy: this.keyId, signature: this.signText(keyAnnouncementPayload({ keyId, publicKey: next.publicKey })) };
  }

  /** This key's notice that key `keyId` was retired at `retiredAt` (a notice agents that pin this key apply). Throws when `keyId` is this key's own. */
  retire(keyId: string, retiredAt: Date): KeyRetirement {
    if (keyId === this.keyId) throw new Error(`key ${keyId} cannot sign its own retirement`);
    const at = retiredAt.toISOString();
    return { keyId, retiredAt: at, signedBy: this.keyId, signature: this.signText(keyRetirementPayload({ keyId, retiredAt: at })) };
  }
}

/**
 * Signatures computed at a time by signAll: enough to keep the pool's threads busy, few enough
 * that other users of the pool (the dashboard's static files) wait milliseconds, not the batch.
 */
const POOL_SLICE = 500;
/** Up to this many envelopes are signed on the event loop (~28 µs each), the pool's round trip being dearer. */
const ON_LOOP_MAX = 16;

/** node:crypto's sign with a callback, which runs in libuv's thread pool instead of on the event loop. */
function signInPool(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => sign(null, data, key, (err, signature) => (err ? reject(err) : resolve(signature))));
}

/** A fresh Ed25519 key pair: public raw base64url, private PKCS#8 PEM. */
export function newKeyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (!x) throw new Error('node:crypto exported an Ed25519 public key without "x"');
  return { publicKey: x, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** The authenticated data a key's private half is sealed with: its public half, so a sealed key opens on its own row only. */
export const sealingContext = (publicKey: string): string => `ed25519:${publicKey}`;

/** Seals a PKCS#8 PEM under `kek`, bound to its public key (what ServerSigningKey.privateKey stores). */
export const sealPrivateKey = (pem: string, kek: Buffer, publicKey: string): string => sealKey(pem, kek, sealingContext(publicKey));

/**
 * The private key of a ServerSigningKey row: opened with `kek` when sealed, parsed when in clear
 * (an older server's row; the caller seals it in place), checked against the row's public half.
 * Throws naming the row and what is wrong: sealed under another KEK (both KEK ids), altered,
 * not parseable, halves that do not match. Never replaced: agents have pinned the key.
 */
export function openRowKey(row: Pick<ServerSigningKey, 'id' | 'algorithm' | 'publicKey' | 'privateKey'>, kek: Buffer): SigningKey {
  const name = `ServerSigningKey ${row.id} (key id ${keyIdOf(row.publicKey)})`;
  if (row.algorithm !== 'ed25519') throw new Error(`${name} has algorithm "${row.algorithm}"; only ed25519 is supported`);
  if (row.privateKey === null) throw new Error(`${name} has no private key (retired)`);
  let pem = row.privateKey;
  if (isSealed(pem)) {
    try {
      pem = openSealedKey(pem, kek, sealingContext(row.publicKey));
    } catch (error) {
      throw new Error(`${name}: cannot decrypt its private key: ${(error as Error).message}. Start the server with the key-encryption key `
        + 'it was stored under (FLEETMEDIC_KEY_ENCRYPTION_KEY or FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE); no new key is made in its place, because agents have pinned this one');
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`${name}: the stored private key does not parse: ${(error as Error).message}`);
  }
  if (privateKey.export({ format: 'jwk' }).x !== row.publicKey) throw new Error(`${name}: the stored public key does not belong to the stored private key`);
  return new SigningKey(row.publicKey, privateKey);
}

/** Null when the stored `signature` (base64url) is `expected`, else why the row is refused. */
function compare(signature: string, expected: string): string | null {
  const [given, wanted] = [Buffer.from(signature, 'base64url'), Buffer.from(expected, 'base64url')];
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? null : 'not sent: the stored signature does not match the command (the row was altered or inserted outside the command service)';
}

/** Rows that sign or may sign: one active, at most one next, any number of previous (still trusted until retired). */
const LIVE_STATES = ['active', 'next', 'previous'];

/**
 * The fleet's signing keys as one server instance sees them at one moment: `active` signs new
 * commands; every live key (active, next, previous) checks stored signatures; `announcements` is
 * the chain agents are sent so that they pin the keys after the one they enrolled with, and
 * `retirements` the notices (oldest first, at most MAX_RETIREMENTS_SENT) that make them unpin retired keys.
 */
export class SigningKeyring {
  private readonly byId: Map<string, SigningKey>;
  /** the `keys` message for agents, or null when no key was ever announced nor retired (a fleet that never rotated) */
  readonly keysMessage: ServerKeysMessage | null;
  /** what agents are told, as text: a re-read whose version differs has news for connected agents */
  readonly version: string;

  constructor(readonly active: SigningKey, keys: readonly SigningKey[], readonly announcements: readonly KeyAnnouncement[], readonly retirements: readonly KeyRetirement[] = []) {
    this.byId = new Map(keys.map((k) => [k.keyId, k]));
    this.keysMessage = announcements.length + retirements.length === 0 ? null
      : { type: 'keys', keys: [...announcements], ...(retirements.length > 0 ? { retired: retirements.slice(-MAX_RETIREMENTS_SENT) } : {}) };
    this.version = `${announcements.map((a) => a.keyId).join(',')}|${retirements.map((r) => r.keyId).join(',')}`;
  }

  /**
   * For each item (same order): null when `signature` (base64url, by key `keyId`) is this
   * server's signature of `envelope`, else why it is not, in words for Command.reason: no
   * signature stored (the row did not come from the command service), a key that is not live
   * (retired or unknown), or a signature that does not match the row. Ed25519 signatures are
   * deterministic (RFC 8032), so the check signs again and compares (~28 µs) instead of verifying
   * (~79 µs, measured on this machine), in libuv's thread pool for more than a few
   * (SigningKey.signAll): a delivery may check thousands of rows read back from the database.
   */
  async refusals(items: ReadonlyArray<{ envelope: UnsignedEnvelope; signature: string | null; keyId: string | null }>): Promise<Array<string | null>> {
    const out: Array<string | null> = items.map((i) => { const key = this.signer(i.signature, i.keyId); return typeof key === 'string' ? key : null; });
    for (const key of this.byId.values()) {
      const mine = items.flatMap((item, at) => (out[at] === null && item.keyId === key.keyId ? [at] : []));
      const expected = await key.signAll(mine.map((at) => items[at]!.envelope));
      mine.forEach((at, n) => (out[at] = compare(items[at]!.signature!, expected[n]!)));
    }
    return out;
  }

  /** The live key that signed `keyId`'s rows, or why the row cannot be checked. */
  private signer(signature: string | null, keyId: string | null): SigningKey | string {
    if (!signature || !keyId) return 'not sent: the command has no signature from its creation (it was not created through the command service, or was queued before the server signed at creation)';
    return this.byId.get(keyId) ?? `not sent: the command was signed by key ${keyId}, which is retired or unknown; queue it again`;
  }
}

/**
 * Reads the fleet's live signing keys (ServerSigningKey rows in state active, next or previous)
 * and opens their private halves with `kek` (32 bytes). On a database without keys, creates the
 * first ("primary", active); instances racing to create it all end up with the same key (the
 * insert is `ON CONFLICT DO NOTHING`, everyone reads the row that won). A row an older server
 * stored in clear is sealed in place (compare-and-set on the old text) and `onSealed` is told.
 * Throws: no active key or more than one, a key that does not open (wrong KEK: the message says
 * so, with the stored and given KEK ids), or does not parse, or whose halves do not match.
 */
export async function loadSigningKeyring(prisma: PrismaClient, kek: Buffer, onSealed?: (keyId: string) => void): Promise<SigningKeyring> {
  let rows = await prisma.serverSigningKey.findMany({ where: { state: { in: LIVE_STATES } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  if (rows.length === 0) {
    const pair = newKeyPair();
    await prisma.serverSigningKey.createMany({
      data: [{ id: FIRST_KEY_ROW, algorithm: 'ed25519', publicKey: pair.publicKey, privateKey: sealPrivateKey(pair.privateKey, kek, pair.publicKey), state: 'active', activatedAt: new Date() }],
      skipDuplicates: true,
    });
    rows = await prisma.serverSigningKey.findMany({ where: { state: { in: LIVE_STATES } } });
  }
  const keys = rows.map((row) => ({ row, key: openRowKey(row, kek) }));
  for (const { row, key } of keys) {
    if (row.privateKey === null || isSealed(row.privateKey)) continue;
    await prisma.serverSigningKey.updateMany({ where: { id: row.id, privateKey: row.privateKey }, data: { privateKey: sealPrivateKey(row.privateKey, kek, row.publicKey) } });
    onSealed?.(key.keyId);
  }
  const active = keys.filter(({ row }) => row.state === 'active');
  if (active.length !== 1) throw new Error(`ServerSigningKey: ${active.length} keys are active (${active.map(({ row }) => row.id).join(', ') || 'none'}); exactly one must be`);
  const announcements = keys.flatMap(({ row, key }) => (row.announcedBy && row.announcement
    ? [{ keyId: key.keyId, publicKey: key.publicKey, signedBy: row.announcedBy, signature: row.announcement }] : []));
  return new SigningKeyring(active[0]!.key, keys.map(({ key }) => key), announcements, await loadRetirements(prisma));
}

/**
 * The retirement notices stored by `keys retire` (ServerSigningKey rows in state retired with a
 * notice), oldest first, the latest MAX_RETIREMENTS_SENT. Keys retired by a server from before
 * notices have none: agents keep those pinned until they enroll again.
 */
async function loadRetirements(prisma: PrismaClient): Promise<KeyRetirement[]> {
  const rows = await prisma.serverSigningKey.findMany({
    where: { state: 'retired', retiredBy: { not: null }, retirement: { not: null }, retiredAt: { not: null } },
    orderBy: [{ retiredAt: 'desc' }, { id: 'desc' }],
    take: MAX_RETIREMENTS_SENT,
    select: { publicKey: true, retiredAt: true, retiredBy: true, retirement: true },
  });
  return rows.reverse().map((r) => ({ keyId: keyIdOf(r.publicKey), retiredAt: r.retiredAt!.toISOString(), signedBy: r.retiredBy!, signature: r.retirement! }));
}

/** Something that logs, as Fastify's and pino's loggers do. */
export interface KeyLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The one source of the fleet's signing keys in a server (buildApp makes one and hands it to the
 * command service, to sign at creation and check at delivery, and to enrollment, to announce the
 * active public key), so within a server every part sees the same keys. Loaded on first use (a
 * failed load is retried on the next call) and re-read every `refreshMs` while started: that is
 * how instances agree on the active key after `keys activate` (within refreshMs; agents accept
 * either key meanwhile, because a key is announced before it is activated). When a re-read finds
 * a new announcement or retirement notice, `onAnnouncements` listeners get the `keys` message for connected agents.
 */
export class SigningKeySource {
  private current: SigningKeyring | null = null;
  private firstLoad: Promise<SigningKeyring> | null = null;
  private announced = '';
  /** reads started / the latest started read whose result is in use: a slower, older read never replaces a newer one */
  private started = 0;
  private applied = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: Array<(message: ServerKeysMessage) => void> = [];

  /**
   * @param prisma where ServerSigningKey lives
   * @param kek the key-encryption key (32 bytes) the private keys are sealed under
   * @param opts refreshMs: re-read interval while started (default 10 s); log: where sealing in place and failed re-reads are said
   */
  constructor(private readonly prisma: PrismaClient, private readonly kek: Buffer, private readonly opts: { refreshMs?: number; log?: KeyLog } = {}) {}

  /**
   * The current keyring: loads it on first use (a failed load is retried on the next call), then
   * answers at once with the last one read, never waiting for a re-read in flight (on PGlite, one
   * session, a caller inside a transaction would otherwise wait for a query that waits for it).
   */
  get(): Promise<SigningKeyring> {
    if (this.current) return Promise.resolve(this.current);
    if (!this.firstLoad) {
      const loading = this.refresh();
      this.firstLoad = loading;
      loading.catch(() => { if (this.firstLoad === loading) this.firstLoad = null; });
    }
    return this.firstLoad;
  }

  /**
   * Re-reads the keys now and resolves to the keyring in use after it (this read's, unless a read
   * started later finished first); on failure rejects, and the keyring
   * in use stays (logged when there is one). Tells the announcement listeners when a key was
   * announced or retired since the last read (not on the first read: agents get the `keys` message at connect).
   */
  async refresh(): Promise<SigningKeyring> {
    const seq = ++this.started;
    let keyring: SigningKeyring;
    try {
      keyring = await loadSigningKeyring(this.prisma, this.kek, (keyId) => this.opts.log?.info({ keyId }, 'signing key was stored in clear by an older server: encrypted it in place'));
    } catch (error) {
      if (this.current) this.opts.log?.error({ err: error }, 'could not re-read the signing keys: keeping the ones loaded');
      throw error;
    }
    if (seq < this.applied) return this.current!;
    const first = this.current === null;
    this.applied = seq;
    this.current = keyring;
    if (keyring.version !== this.announced) {
      this.announced = keyring.version;
      if (!first && keyring.keysMessage) for (const listener of this.listeners) listener(keyring.keysMessage);
    }
    return keyring;
  }

  /** Calls `listener` with the `keys` message whenever a re-read finds a key announced or retired since the last. */
  onAnnouncements(listener: (message: ServerKeysMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Starts re-reading every refreshMs (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh().catch(() => {}), this.opts.refreshMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
