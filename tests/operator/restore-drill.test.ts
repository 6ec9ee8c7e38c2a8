import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, createMessage, schema, type Db, type DbHandle } from '@renraku/db';
import { seedDemo } from '@renraku/db/seed';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { decryptAddress, deriveKeys } from '@renraku/shared/crypto';
import {
  deliveriesOf,
  keys,
  messageDone,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';

// The README's backup runbook as a drill: a seeded district is dumped with pg_dump -Fc and
// restored with pg_restore into a new, empty database; started against the copy with the same
// SECRET_KEY, the addresses decrypt as the dispatcher decrypts them and a send goes out.

const run = promisify(execFile);
/** PostgreSQL 15's client tools (Debian's path), else the ones on PATH. */
const pgTool = (name: string) => {
  const debian = `/usr/lib/postgresql/15/bin/${name}`;
  return existsSync(debian) ? debian : name;
};

let source: TestDatabase;
let sink: Sink;
let dir: string;
let restoredUrl: string;
let restoredName: string;
let restored: DbHandle | undefined;

beforeAll(async () => {
  source = await createTestDatabase();
  sink = await startSink();
  dir = await mkdtemp(join(tmpdir(), 'renraku-restore-'));
  restoredName = `${new URL(source.url).pathname.slice(1)}_restored`;
  const url = new URL(source.url);
  url.pathname = `/${restoredName}`;
  restoredUrl = url.toString();
});

afterAll(async () => {
  await restored?.close();
  await source?.handle.db.execute(sql.raw(`drop database if exists ${restoredName} with (force)`));
  await source?.drop();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every address of a database in id order, decrypted as the dispatcher does it. */
async function addressesOf(db: Db) {
  const rows = await db
    .select({ id: schema.addresses.id, ciphertext: schema.addresses.ciphertext })
    .from(schema.addresses)
    .orderBy(asc(schema.addresses.id));
  return rows.map((row) => ({ id: row.id, address: decryptAddress(keys, row.ciphertext) }));
}

it('restores a dump into a new database that decrypts its addresses and sends with the same key', async () => {
  const seeded = await seedDemo(source.handle.db, { keys, mailDomain: 'renraku.test' });
  if (!seeded.seeded) throw new Error(`demo not seeded: ${seeded.reason}`);
  const before = await addressesOf(source.handle.db);
  expect(before.length).toBe(seeded.counts.addresses);

  const dump = join(dir, 'renraku.dump');
  const dumpStarted = Date.now();
  await run(pgTool('pg_dump'), ['-Fc', '-d', source.url, '-f', dump]);
  const dumpMs = Date.now() - dumpStarted;
  const dumpBytes = (await stat(dump)).size;
  expect(dumpBytes).toBeGreaterThan(0);
  const restoreStarted = Date.now();
  await source.handle.db.execute(sql.raw(`create database ${restoredName}`));
  await run(pgTool('pg_restore'), ['--no-owner', '--exit-on-error', '-d', restoredUrl, dump]);
  const restoreMs = Date.now() - restoreStarted;

  // Started against the copy as a process starts: migrating finds nothing left to do.
  restored = await createDb({ url: restoredUrl, poolMax: 5 });
  await restored.migrate();
  const db = restored.db;
  expect(await addressesOf(db)).toEqual(before);

  // Without its SECRET_KEY the copy gives back no address.
  const [first] = await db.select().from(schema.addresses).limit(1);
  const otherKeys = deriveKeys('another-secret-key-0123456789abcdefghijklmn');
  expect(() => decryptAddress(otherKeys, first!.ciphertext)).toThrow();

  const [board] = await db
    .select()
    .from(schema.staffUsers)
    .where(eq(schema.staffUsers.role, 'board'))
    .limit(1);
  const message = await createMessage(db, {
    districtId: seeded.districtId,
    schoolId: null,
    authorId: board!.id,
    category: 'emergency_contact',
    subject: '復元訓練',
    body: 'バックアップからの復元を確認しています。',
    target: { kind: 'district' },
    scheduledAt: null,
    idempotencyKey: null,
  });
  const dispatcher = await startTestDispatcher(db, sink.url);
  try {
    await waitFor(() => messageDone(db, message.id));
  } finally {
    await dispatcher.stop();
  }
  const deliveries = await deliveriesOf(db, message.id);
  expect(deliveries.length).toBeGreaterThan(0);
  expect(deliveries.filter((delivery) => delivery.state !== 'accepted')).toEqual([]);
  const known = new Set(before.map((row) => row.address));
  expect(sink.mails.length).toBe(deliveries.length);
  expect(sink.mails.filter((mail) => !known.has(mail.to))).toEqual([]);
  console.log(
    `restore drill: ${before.length} addresses, dump ${dumpBytes} bytes in ${dumpMs} ms, ` +
      `restored in ${restoreMs} ms, all decrypted, ${deliveries.length} mails accepted from the copy`,
  );
});
