import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  householdsWithFailingAddress,
  listCallListHouseholds,
  schema,
  type Db,
  type SendFailure,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { blindIndex } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { createDrizzleStore, createSmtpMailer } from '../../apps/dispatcher/src/adapters';
import { Dispatcher } from '../../apps/dispatcher/src/dispatcher';
import { addressesOf } from '../bounces/support';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  dispatcherEnv,
  keys,
  messageDone,
  sendMessage,
  startTestDispatcher,
  waitFor,
} from './fixtures';
import { startSink, type Sink } from './smtp-sink';

// A relay that refuses a recipient at once (5xx) weighs on the address as a bounce report
// does when the reply blames the recipient: against the real PostgreSQL and an SMTP relay that
// answers by recipient with enhanced status codes (550 5.1.1, 552 5.2.2, 554 5.6.0, 451 4.3.0).

let testDb: TestDatabase;
let db: Db;
let sink: Sink;
let world: Awaited<ReturnType<typeof createDistrictWithClass>>;

const ADDRESSES = {
  /** 550 5.1.1 after a success last week (the mailbox was deleted since): dead at once. */
  gone: 'r550-gone@au.com',
  /** 552 5.2.2, a full mailbox: one soft bounce. */
  full: 'r552-full@docomo.ne.jp',
  /** 552 5.2.2 on top of two soft bounces yesterday: the third makes it failing. */
  streak: 'r552-streak@ezweb.ne.jp',
  /** 550 5.1.1, but a success was reported after the refusal: weighed out of order. */
  later: 'r550-later@au.com',
  /** 451 4.3.0 until the attempts run out: the relay's own trouble, nothing against the address. */
  busy: 'd451-busy@au.com',
  /** 554 5.6.0: an objection to the message, not to the address: untouched. */
  content: 'r554-content@gmail.com',
  /** Siblings registered separately with one refused address: both rows die. */
  shared: 'r550-shared@softbank.ne.jp',
  ok: 'ok-1@example.jp',
};

function send(target: { district: { id: number }; board: { id: number } }) {
  return sendMessage(db, {
    districtId: target.district.id,
    authorId: target.board.id,
    target: { kind: 'district' },
  });
}

async function health(address: string) {
  const rows = await addressesOf(db, address);
  return rows
    .filter((row) => row.districtId === world.district.id)
    .map(({ health, softBounces }) => ({ health, softBounces }));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  sink = await startSink({ enhancedStatusCodes: true });
});

afterAll(async () => {
  await sink.close();
  await testDb.drop();
});

describe('a refusal by the relay', () => {
  let households: Record<keyof typeof ADDRESSES, number>;
  let elsewhere: Awaited<ReturnType<typeof createDistrictWithClass>>;
  let messageId: number;

  beforeAll(async () => {
    world = await createDistrictWithClass(db, 'みなと第一小学校');
    const { klass } = world;
    const { householdIds } = await addFamilies(db, [
      [{ klass, name: '不達 一郎', addresses: [ADDRESSES.gone] }],
      [{ klass, name: '満杯 二郎', addresses: [ADDRESSES.full] }],
      [{ klass, name: '連続 三郎', addresses: [ADDRESSES.streak] }],
      [{ klass, name: '後着 四郎', addresses: [ADDRESSES.later] }],
      [{ klass, name: '保留 五郎', addresses: [ADDRESSES.busy] }],
      [{ klass, name: '内容 六郎', addresses: [ADDRESSES.content] }],
      [
        { klass, name: '共有 兄', addresses: [ADDRESSES.shared] },
        { klass, name: '共有 妹', addresses: [ADDRESSES.shared] },
      ],
      [{ klass, name: '到達 花子', addresses: [ADDRESSES.ok] }],
    ]);
    households = Object.fromEntries(
      Object.keys(ADDRESSES).map((key, i) => [key, householdIds[i]!]),
    ) as typeof households;
    // The same refused address registered in another district is another parent's: untouched.
    elsewhere = await createDistrictWithClass(db, '隣町小学校');
    await addFamilies(db, [
      [{ klass: elsewhere.klass, name: '隣町 太郎', addresses: [ADDRESSES.gone] }],
    ]);
    const byAddress = (address: string) =>
      eq(schema.addresses.blindIndex, blindIndex(keys, address));
    await db
      .update(schema.addresses)
      .set({ softBounces: 2, lastBounceAt: new Date(Date.now() - 86_400_000) })
      .where(byAddress(ADDRESSES.streak));
    await db
      .update(schema.addresses)
      .set({ lastDeliveredAt: new Date(Date.now() - 7 * 86_400_000) })
      .where(byAddress(ADDRESSES.gone));
    await db
      .update(schema.addresses)
      .set({ lastDeliveredAt: new Date(Date.now() + 3_600_000) })
      .where(byAddress(ADDRESSES.later));

    ({ id: messageId } = await send(world));
    const dispatcher = await startTestDispatcher(db, sink.url);
    await waitFor(() => messageDone(db, messageId));
    await dispatcher.stop();
  });

  it('stores each refusal as a failed delivery with its reply', async () => {
    const rows = await deliveriesOf(db, messageId);
    const of = (address: string) =>
      rows.find((row) => row.blindIndex === blindIndex(keys, address))!;
    expect(of(ADDRESSES.gone)).toMatchObject({ state: 'failed', attempts: 1, replyCode: 550 });
    expect(of(ADDRESSES.gone).replyText).toMatch(/^550 5\.1\.1 /);
    expect(of(ADDRESSES.full)).toMatchObject({ state: 'failed', attempts: 1, replyCode: 552 });
    expect(of(ADDRESSES.busy)).toMatchObject({ state: 'failed', attempts: 3, replyCode: 451 });
    expect(of(ADDRESSES.content)).toMatchObject({ state: 'failed', attempts: 1, replyCode: 554 });
    expect(of(ADDRESSES.content).replyText).toMatch(/^554 5\.6\.0 /);
    expect(of(ADDRESSES.ok)).toMatchObject({ state: 'accepted' });
  });

  it('weighs on the addresses by the rules of bounce reports', async () => {
    expect(await health(ADDRESSES.gone)).toEqual([{ health: 'dead', softBounces: 0 }]);
    expect(await health(ADDRESSES.full)).toEqual([{ health: 'active', softBounces: 1 }]);
    expect(await health(ADDRESSES.streak)).toEqual([{ health: 'failing', softBounces: 3 }]);
    expect(await health(ADDRESSES.later)).toEqual([{ health: 'active', softBounces: 0 }]);
    expect(await health(ADDRESSES.busy)).toEqual([{ health: 'active', softBounces: 0 }]);
    expect(await health(ADDRESSES.content)).toEqual([{ health: 'active', softBounces: 0 }]);
    expect(await health(ADDRESSES.shared)).toEqual([
      { health: 'dead', softBounces: 0 },
      { health: 'dead', softBounces: 0 },
    ]);
    const [ok] = await addressesOf(db, ADDRESSES.ok);
    expect(ok).toMatchObject({ health: 'active', softBounces: 0, lastBounceAt: null });
    const [gone] = (await addressesOf(db, ADDRESSES.gone)).filter(
      (row) => row.districtId === world.district.id,
    );
    expect(gone!.lastBounceAt).toBeInstanceOf(Date);
    const [other] = (await addressesOf(db, ADDRESSES.gone)).filter(
      (row) => row.districtId === elsewhere.district.id,
    );
    expect(other).toMatchObject({ health: 'active', softBounces: 0, lastBounceAt: null });
  });

  it('flags the families whose address is failing or dead on the call list', async () => {
    const listed = await listCallListHouseholds(db, messageId);
    const ids = listed.map((row) => row.householdId);
    expect(ids.sort()).toEqual(
      [
        households.gone,
        households.full,
        households.streak,
        households.later,
        households.busy,
        households.content,
        households.shared,
      ].sort(),
    );
    expect(listed.every((row) => row.reason === 'failed')).toBe(true);
    const flagged = await householdsWithFailingAddress(db, ids);
    expect([...flagged].sort()).toEqual(
      [households.gone, households.streak, households.shared].sort(),
    );
  });

  it('no longer mails a dead address', async () => {
    const { id } = await send(world);
    const dispatcher = await startTestDispatcher(db, sink.url);
    await waitFor(() => messageDone(db, id));
    await dispatcher.stop();
    const mailed = new Set((await deliveriesOf(db, id)).map((row) => row.blindIndex));
    expect(mailed.has(blindIndex(keys, ADDRESSES.gone))).toBe(false);
    expect(mailed.has(blindIndex(keys, ADDRESSES.shared))).toBe(false);
    expect(mailed.has(blindIndex(keys, ADDRESSES.full))).toBe(true);
    expect(mailed.has(blindIndex(keys, ADDRESSES.content))).toBe(true);
    expect(sink.attempts.get(ADDRESSES.gone)).toBe(1);
    expect(sink.attempts.get(ADDRESSES.shared)).toBe(1);
    // The full mailbox was tried again and counts its second soft bounce.
    expect(await health(ADDRESSES.full)).toEqual([{ health: 'active', softBounces: 2 }]);
  });
});

describe('a failing health write', () => {
  it('loses no status, settles the message, and is called only for batches with failures', async () => {
    const healthy = await createDistrictWithClass(db, 'みなと第二小学校');
    await addFamilies(db, [
      [{ klass: healthy.klass, name: '到達 一郎', addresses: ['ok-a@example.jp'] }],
      [{ klass: healthy.klass, name: '到達 二郎', addresses: ['ok-b@example.jp'] }],
    ]);
    const refusing = await createDistrictWithClass(db, 'みなと第三小学校');
    await addFamilies(db, [
      [{ klass: refusing.klass, name: '不達 三郎', addresses: ['r550-lost@au.com'] }],
      [{ klass: refusing.klass, name: '到達 四郎', addresses: ['ok-c@example.jp'] }],
    ]);
    const calls: SendFailure[][] = [];
    const logged: { msg: string; count?: number }[] = [];
    const env = dispatcherEnv(sink.url);
    const dispatcher = new Dispatcher({
      store: {
        ...createDrizzleStore(db, { workerId: 'health-test', leaseMs: env.dispatch.leaseMs }),
        async recordAddressFailures(failures) {
          calls.push(failures);
          throw new Error('database went away');
        },
      },
      mailer: createSmtpMailer(env),
      push: null,
      status: { messageChanged() {}, messageFinished() {}, messageQueued() {} },
      keys,
      logger: createLogger('health-test', 'error', {
        write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]),
      }),
      settings: env.dispatch,
      mail: {
        mailDomain: env.mailDomain,
        publicUrl: env.publicUrl,
        featurePhoneDomains: env.featurePhoneDomains,
      },
    });
    dispatcher.start();
    try {
      const first = await send(healthy);
      await waitFor(() => messageDone(db, first.id));
      // Accepted mails only: the health write is not even called.
      expect(calls).toEqual([]);

      const second = await send(refusing);
      await waitFor(() => messageDone(db, second.id));
      const rows = await deliveriesOf(db, second.id);
      const lost = rows.find((row) => row.blindIndex === blindIndex(keys, 'r550-lost@au.com'))!;
      expect(rows.map((row) => row.state).sort()).toEqual(['accepted', 'failed']);
      expect(lost).toMatchObject({ state: 'failed', replyCode: 550, leaseOwner: null });
      expect(lost.replyText).toMatch(/^550 5\.1\.1 /);
      expect(calls).toEqual([[{ deliveryId: lost.id, effect: 'hard' }]]);
      expect(logged).toContainEqual(
        expect.objectContaining({ msg: 'applying refusals to address health failed', count: 1 }),
      );
      // Nothing was applied, and nothing else stopped.
      expect(await addressesOf(db, 'r550-lost@au.com')).toMatchObject([{ health: 'active' }]);
    } finally {
      await dispatcher.stop();
    }
  });
});
