import path from 'node:path';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/index.js';
import { KeyEncryptionKeyError, resolveKeyEncryptionKey } from './kek.js';
import { ACTIVATE_AFTER_SECONDS, KeyRotationError, activateSigningKey, listSigningKeys, retireSigningKey, rewrapSigningKeys, rotateSigningKey } from './rotation.js';
import { SealedKeyError } from './sealed-key.js';

/** Who the audit rows of a key step name: the operating-system user who ran the CLI. */
const actor = () => `cli:${userInfo().username}`;

/**
 * Runs one key step against the database the server uses (DATABASE_URL, else the embedded PGlite
 * in FLEETMEDIC_DATA_DIR, which only one process can open: stop the server first), with the
 * key-encryption key the server uses. Exits 2 on a bad environment or a step that does not apply,
 * 1 on any other failure.
 */
async function withDatabase(step: (db: Database, kek: Buffer) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    const config = loadConfig();
    const kek = await resolveKeyEncryptionKey({ ...config.keyEncryptionKey, dataDir: config.dataDir, generate: false });
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
    await step(db, kek.key);
  } catch (err) {
    const usage = err instanceof ConfigError || err instanceof KeyRotationError || err instanceof KeyEncryptionKeyError || err instanceof SealedKeyError;
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = usage ? 2 : 1;
  } finally {
    await db?.close();
  }
}

/**
 * `fleetmedic-server keys list | rotate | activate | retire <keyId> | rewrap --old-key-file <f>`: the operator's steps of a
 * signing-key rotation (signing/rotation.ts); Macs keep working throughout, none re-enrolls.
 */
export function keysCommand(): Command {
  const keys = new Command('keys').description('command-signing keys: list, rotate (announce the next), activate it, retire an old one');
  keys.command('list').description('every key: id, state (active | next | previous | retired), who announced it, dates').action(() => withDatabase(async (db) => {
    for (const k of await listSigningKeys(db.prisma)) {
      console.log([k.keyId, k.state.padEnd(8), `announced by ${k.announcedBy ?? '-'}`.padEnd(30), `created ${k.createdAt.toISOString()}`,
        k.activatedAt ? `activated ${k.activatedAt.toISOString()}` : '', k.retiredAt ? `retired ${k.retiredAt.toISOString()}` : ''].filter(Boolean).join('  '));
    }
  }));
  keys.command('rotate').description('make the next key, announced to agents under the active key\'s signature').action(() => withDatabase(async (db, kek) => {
    const next = await rotateSigningKey(db.prisma, kek, actor());
    console.log(`next key ${next.keyId}, announced by ${next.announcedBy}. Servers send it to connected agents within 10 s and to the others when they connect.`);
    console.log(`Then: keys activate (no sooner than ${ACTIVATE_AFTER_SECONDS} s from now).`);
  }));
  keys.command('activate').description('sign new commands with the next key; the active one becomes previous').action(() => withDatabase(async (db, kek) => {
    const { activated, previous } = await activateSigningKey(db.prisma, kek, actor());
    console.log(`key ${activated} is active (every server within 10 s); ${previous} is previous: its queued commands still go out.`);
    console.log(`Once they are delivered: keys retire ${previous}`);
  }));
  keys.command('retire').argument('<keyId>', 'a previous or next key (keys list)').description('delete a key\'s private half; servers stop delivering what it signed and tell agents to unpin it')
    .action((keyId: string) => withDatabase(async (db, kek) => {
      const { failedCommands, notice, noNotice, noticeOnly } = await retireSigningKey(db.prisma, kek, keyId, actor());
      console.log(noticeOnly
        ? `key ${keyId} was retired before servers signed retirement notices: its notice is signed now.`
        : `key ${keyId} retired; ${failedCommands} queued command(s) it signed were failed (queue them again).`);
      if (notice) console.log(`Its retirement notice, signed by ${notice.signedBy}, goes to connected agents within 10 s and to the others when they connect: they unpin ${keyId}.`);
      else console.log(`It gets ${noNotice}.`);
    }));
  keys.command('rewrap').description('seal every key under the key-encryption key the environment now gives, opening them with the old one')
    .requiredOption('--old-key-file <file>', 'a file holding the key-encryption key the keys are sealed under now (base64)')
    .action((opts: { oldKeyFile: string }) => withDatabase(async (db, kek) => {
      const old = await resolveKeyEncryptionKey({ file: opts.oldKeyFile, dataDir: '' });
      const count = await rewrapSigningKeys(db.prisma, old.key, kek, actor());
      console.log(`${count} key(s) sealed again under the new key-encryption key. Start every server with it from now on.`);
    }));
  return keys;
}
