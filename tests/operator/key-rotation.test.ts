import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createRegistrationToken,
  rowsOf,
  schema,
  upsertPushSubscription,
  type Db,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { startDispatcher } from '@renraku/dispatcher';
import { createInProcessBus } from '@renraku/shared/bus';
import {
  blindIndex,
  decryptAddress,
  deriveKeys,
  keyIdOfIndex,
  sealAddress,
  sealPushSubscription,
  unsealPushSubscription,
} from '@renraku/shared/crypto';
import {
  addFamilies,
  createClass,
  createDistrictWithClass,
  deliveriesOf,
  dispatcherEnv,
  keys as oldKeys,
  messageDone,
  messageRow,
  sendMessage,
  silentLogger,
  TEST_SECRET_KEY,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { runCli } from '../support/cli';

// `pnpm cli rotate-secret` on the real PostgreSQL while a dispatcher sends: a wrong previous
// key changes nothing; a rotation killed after a few batches resumes; no delivery is lost or
// doubled; afterwards the old key opens nothing and no blind index is the old key's.

const NEW_SECRET_KEY = 'the-rotated-secret-key-for-the-rotation-test-0001';
const newKeys = deriveKeys(NEW_SECRET_KEY);
const rotatingKeys = deriveKeys(NEW_SECRET_KEY, TEST_SECRET_KEY);
const FAMILIES = 600;
const SHARED = 'shared-sibling@example.jp';
const GONE = 'withdrawn-long-ago@example.jp';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: TestDatabase;
let db: Db;
let sink: Sink;
let fixture: Awaited<ReturnType<typeof createDistrictWithClass>>;
/** Every address the class's families have, as sent to. */
const expected = new Set<string>();

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink({ delayMs: 15 });
  fixture = await createDistrictWithClass(db, '湊小学校');
  const { klass, school } = fixture;
  const families = Array.from({ length: FAMILIES }, (_, i) => [
    {
      klass,
      name: `児童${i}`,
      addresses:
        i % 5 === 0
          ? [`family${i}@example.jp`, `family${i}-2@docomo.ne.jp`]
          : [`family${i}@example.jp`],
    },
  ]);
  // Two households share one mailbox: one mail, and one index that moves as a whole.
  families.push(
    [{ klass, name: '兄', addresses: [SHARED] }],
    [{ klass, name: '弟', addresses: [SHARED] }],
  );
  await addFamilies(db, families);
  for (const family of families)
    for (const address of family[0]!.addresses) expected.add(address as string);

  // A device in another class (not sent to), a registration link in flight, and an old
  // message's delivery whose address is gone.
  const other = await createClass(db, school, 5, '1組');
  await addFamilies(db, [[{ klass: other, name: '他組', addresses: ['other@example.jp'] }]]);
  const [registration] = await db
    .select({ id: schema.registrations.id })
    .from(schema.registrations)
    .where(eq(schema.registrations.classId, other.id));
  await upsertPushSubscription(db, {
    districtId: fixture.district.id,
    registrationId: registration!.id,
    ...sealPushSubscription(oldKeys, {
      endpoint: 'https://push.example.jp/send/device-1',
      keys: { p256dh: 'BPub-key-1', auth: 'auth-1' },
    }),
    deviceLabel: 'Android · Chrome',
  });
  await createRegistrationToken(db, {
    purpose: 'register',
    schoolId: school.id,
    address: sealAddress(oldKeys, 'linked@example.jp'),
    ttlSeconds: 3600,
  });
  const old = await sendMessage(db, {
    districtId: fixture.district.id,
    authorId: fixture.board.id,
    target: { kind: 'classes', classIds: [other.id] },
    scheduledAt: new Date(Date.now() + 86_400_000),
  });
  await db.insert(schema.deliveries).values({
    messageId: old.id,
    addressId: null,
    blindIndex: blindIndex(oldKeys, GONE),
    carrierDomain: 'example.jp',
    state: 'failed',
  });
}, 60_000);

afterAll(async () => {
  await database?.drop();
  await sink?.close();
});

/** Everything a rotation rewrites, as one text: equal texts, nothing changed. */
async function snapshot(): Promise<string> {
  const [row] = rowsOf<{ digest: string }>(
    await db.execute(sql`select md5(
      (select coalesce(string_agg(encode(ciphertext, 'hex') || blind_index, ',' order by id), '') from addresses) ||
      (select coalesce(string_agg(encode(endpoint_ciphertext, 'hex') || endpoint_index, ',' order by id), '') from push_subscriptions) ||
      (select coalesce(string_agg(coalesce(blind_index, ''), ',' order by id), '') from registration_tokens) ||
      (select coalesce(string_agg(blind_index, ',' order by id), '') from deliveries)) as digest`),
  );
  return row!.digest;
}

const rotationEnv = (previous: string) => ({
  DATABASE_URL: database.url,
  SECRET_KEY: NEW_SECRET_KEY,
  SECRET_KEY_PREVIOUS: previous,
});

it('refuses a wrong or missing previous key and changes nothing', async () => {
  const before = await snapshot();
  const wrong = await runCli(
    ['rotate-secret'],
    rotationEnv('not-the-key-the-data-was-written-with-0000'),
  );
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/neither SECRET_KEY nor SECRET_KEY_PREVIOUS; nothing was changed/);
  const none = await runCli(['rotate-secret'], {
    DATABASE_URL: database.url,
    SECRET_KEY: NEW_SECRET_KEY,
  });
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/SECRET_KEY_PREVIOUS is not set/);
  const usage = await runCli(['rotate-secret', '--batch-size', '0'], rotationEnv(TEST_SECRET_KEY));
  expect(usage.code).toBe(2);
  expect(await snapshot()).toBe(before);
});

/** The CLI killed (SIGKILL) once it has reported `batches` batches: a crash mid-rotation. */
function rotateUntilKilled(batches: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/cli/src/main.ts', 'rotate-secret', '--batch-size', '20'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...rotationEnv(TEST_SECRET_KEY) } },
    );
    let seen = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk.split('\n').filter((line) => line.startsWith('rotated ')).length;
      if (seen >= batches) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', () => resolve(seen));
  });
}

it('rotates mid-send, resumes after a crash, and loses no delivery', async () => {
  const dispatcher = await startDispatcher({
    env: dispatcherEnv(sink.url, {
      SECRET_KEY: NEW_SECRET_KEY,
      SECRET_KEY_PREVIOUS: TEST_SECRET_KEY,
    }),
    db,
    bus: createInProcessBus(),
    keys: rotatingKeys,
    logger: silentLogger,
  });
  try {
    const message = await sendMessage(db, {
      districtId: fixture.district.id,
      authorId: fixture.board.id,
      target: { kind: 'classes', classIds: [fixture.klass.id] },
    });
    await waitFor(() => sink.mails.length >= 20);

    expect(await rotateUntilKilled(3)).toBeGreaterThanOrEqual(3);
    const [mixed] = rowsOf<{ rotated: number; left: number }>(
      await db.execute(sql`select
        count(*) filter (where blind_index like ${`${newKeys.id}:%`})::int as rotated,
        count(*) filter (where blind_index not like ${`${newKeys.id}:%`})::int as left
        from addresses`),
    );
    expect(mixed!.rotated).toBeGreaterThan(0);
    expect(mixed!.left).toBeGreaterThan(0);
    expect((await messageRow(db, message.id)).state).not.toBe('done');

    const resumed = await runCli(['rotate-secret', '--json'], rotationEnv(TEST_SECRET_KEY));
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({ keyId: newKeys.id, previousKeyId: oldKeys.id, remaining: [] });
    expect(report.retiredDeliveries).toBe(1);

    await waitFor(() => messageDone(db, message.id), 60_000);
    const deliveries = await deliveriesOf(db, message.id);
    expect(deliveries.filter((d) => d.state !== 'accepted')).toEqual([]);
    // One mail per mailbox, the shared one included, none twice, none to anyone else.
    expect(deliveries.length).toBe(expected.size);
    expect(sink.mails.length).toBe(expected.size);
    expect(new Set(sink.mails.map((mail) => mail.to))).toEqual(expected);

    // Every delivery still joins its address on the (new) index: call lists and answers hold.
    const [joined] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from deliveries d
        join addresses a on a.blind_index = d.blind_index where d.message_id = ${message.id}`),
    );
    expect(joined!.n).toBe(deliveries.length + 1); // the shared mailbox has two address rows
  } finally {
    await dispatcher.stop();
  }
}, 120_000);

it('leaves nothing the old key opens, and no index the old key made', async () => {
  const addresses = await db.select().from(schema.addresses);
  for (const row of addresses) {
    const address = decryptAddress(newKeys, row.ciphertext);
    expect(() => decryptAddress(oldKeys, row.ciphertext)).toThrow();
    expect(row.blindIndex).toBe(blindIndex(newKeys, address));
    expect(row.blindIndex).not.toContain(blindIndex(oldKeys, address).slice(9));
  }
  const shared = addresses.filter((row) => decryptAddress(newKeys, row.ciphertext) === SHARED);
  expect(shared).toHaveLength(2);

  const [device] = await db.select().from(schema.pushSubscriptions);
  expect(unsealPushSubscription(newKeys, device!).endpoint).toBe(
    'https://push.example.jp/send/device-1',
  );
  expect(() => unsealPushSubscription(oldKeys, device!)).toThrow();
  const [token] = await db.select().from(schema.registrationTokens);
  expect(decryptAddress(newKeys, token!.addressCiphertext!)).toBe('linked@example.jp');
  expect(token!.blindIndex).toBe(blindIndex(newKeys, 'linked@example.jp'));

  const indexes = await db
    .select({ blindIndex: schema.deliveries.blindIndex })
    .from(schema.deliveries);
  expect(indexes.filter((row) => keyIdOfIndex(row.blindIndex) !== newKeys.id)).toEqual([]);
  expect(indexes.map((row) => row.blindIndex)).not.toContain(blindIndex(oldKeys, GONE));

  const audits = await db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, 'secret.rotate'));
  expect(audits.at(-1)?.detail).toMatchObject({ complete: true, keyId: newKeys.id });

  // Done: a second run finds nothing left, and the old key is no longer needed.
  const again = await runCli(['rotate-secret', '--json'], rotationEnv(TEST_SECRET_KEY));
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ addresses: 0, deliveries: 0, remaining: [] });
});
