import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressHealthForRegistration,
  householdsWithFailingAddress,
  listCallListHouseholds,
  schema,
  type Db,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { bounceAddress } from '../../apps/dispatcher/src/mail';
import {
  addFamilies,
  createDistrictWithClass,
  keys,
  messageDone,
  messageRow,
  sendMessage,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import {
  addressesOf,
  bounceReportsOf,
  deliveryRow,
  sendBounce,
  startBounceServer,
  type BounceServer,
} from './support';

// Bounce intake end to end without a real relay: the dispatcher sends through a sink, and the
// sink's envelope senders (the VERP return paths) receive the fixtures a relay would send.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let server: BounceServer;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let send: () => Promise<Round>;
const households: Record<string, number> = {};

/** One sent message: per recipient, its delivery and return path. */
interface Round {
  messageId: number;
  to: Map<string, { deliveryId: number; returnPath: string }>;
}

const ADDRESSES = {
  hard: 'hard@docomo.ne.jp',
  ok: 'ok@example.jp',
  soft: 'soft@ezweb.ne.jp',
  shared: 'shared@softbank.ne.jp',
  delay: 'delay@gmail.com',
};

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink();
  server = await startBounceServer(db);
  dispatcher = await startTestDispatcher(db, sink.url);
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第一小学校');
  const child = (name: string, address?: string) => ({
    klass,
    name,
    addresses: address ? [address] : [],
  });
  const { householdIds } = await addFamilies(db, [
    [child('不達 一郎', ADDRESSES.hard)],
    [child('到達 花子', ADDRESSES.ok)],
    [child('満杯 次郎', ADDRESSES.soft)],
    // Siblings registered separately with one address: one delivery, two address rows.
    [child('共有 兄', ADDRESSES.shared), child('共有 妹', ADDRESSES.shared)],
    [child('遅延 三郎', ADDRESSES.delay)],
    [child('未登録 四郎')],
  ]);
  ['hard', 'ok', 'soft', 'shared', 'delay', 'none'].forEach(
    (key, i) => (households[key] = householdIds[i]!),
  );
  send = async () => {
    const seen = sink.mails.length;
    const { id } = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'district' },
    });
    await waitFor(() => messageDone(db, id));
    const rows = await db
      .select()
      .from(schema.deliveries)
      .where(eq(schema.deliveries.messageId, id));
    const to = new Map<string, { deliveryId: number; returnPath: string }>();
    for (const mail of sink.mails.slice(seen)) {
      const row = rows.find((r) => bounceAddress(keys, 'renraku.test', r.id) === mail.envelopeFrom);
      if (row) to.set(mail.to, { deliveryId: row.id, returnPath: mail.envelopeFrom });
    }
    return { messageId: id, to };
  };
});

afterAll(async () => {
  await dispatcher?.stop();
  await server?.inbound.close();
  await sink?.close();
  await database?.drop();
});

const of = (round: Round, key: keyof typeof ADDRESSES) => round.to.get(ADDRESSES[key])!;

describe('bounce intake', () => {
  let first: Round;
  beforeAll(async () => {
    first = await send();
  });

  it('sends from a VERP return path per delivery', () => {
    expect(first.to.size).toBe(5);
  });

  it('accepts forged, altered and unknown tags with 250 and changes nothing', async () => {
    const hard = of(first, 'hard');
    const otherId = of(first, 'ok').deliveryId;
    const forged = [
      'bounce+1-000000000000000000000000@renraku.test',
      hard.returnPath.replace(`+${hard.deliveryId}-`, `+${otherId}-`),
      bounceAddress(keys, 'renraku.test', 987654321),
      'bounce+garbage@renraku.test',
    ];
    for (const returnPath of forged) {
      expect(await sendBounce(server.inbound.port, returnPath, 'postfix-dsn-failed')).toMatch(
        /^250/,
      );
    }
    expect((await deliveryRow(db, hard.deliveryId)).state).toBe('accepted');
    expect((await deliveryRow(db, otherId)).state).toBe('accepted');
    expect(await db.select().from(schema.bounceReports)).toHaveLength(0);
    expect(server.changed).toHaveLength(0);
  });

  it('turns a hard bounce into a bounced delivery, a dead address and a call-list row', async () => {
    const hard = of(first, 'hard');
    // Relays may change the case of the local part.
    await sendBounce(
      server.inbound.port,
      hard.returnPath.toUpperCase(),
      'postfix-dsn-failed',
      String(hard.deliveryId),
    );
    const row = await deliveryRow(db, hard.deliveryId);
    expect(row).toMatchObject({ state: 'bounced', replyCode: 550 });
    expect(row.replyText).toContain('5.1.1');
    expect(row.replyText).not.toContain('@');
    expect((await addressesOf(db, ADDRESSES.hard))[0]).toMatchObject({ health: 'dead' });
    expect(server.changed.at(-1)).toEqual({ messageId: first.messageId });
    const listed = await listCallListHouseholds(db, first.messageId);
    expect(listed.map((h) => [h.householdId, h.reason])).toEqual(
      expect.arrayContaining([
        [households.hard, 'failed'],
        [households.none, 'unregistered'],
      ]),
    );
    expect(listed.some((h) => h.householdId === households.ok)).toBe(false);
    const failing = await householdsWithFailingAddress(db, Object.values(households));
    expect([...failing]).toEqual([households.hard]);
    // A message is done when nothing is pending; a late bounce leaves it done.
    expect((await messageRow(db, first.messageId)).state).toBe('done');
  });

  it('counts a repeated report once', async () => {
    const hard = of(first, 'hard');
    const before = server.changed.length;
    await sendBounce(server.inbound.port, hard.returnPath, 'exim-failed');
    expect(server.changed).toHaveLength(before);
    expect(await bounceReportsOf(db, hard.deliveryId)).toHaveLength(2);
  });

  it('marks a success DSN delivered and dates the address', async () => {
    const ok = of(first, 'ok');
    await sendBounce(server.inbound.port, ok.returnPath, 'postfix-dsn-delivered');
    expect((await deliveryRow(db, ok.deliveryId)).state).toBe('delivered');
    const [address] = await addressesOf(db, ADDRESSES.ok);
    expect(address).toMatchObject({ health: 'active', softBounces: 0 });
    expect(address!.lastDeliveredAt).toBeInstanceOf(Date);
    const health = await addressHealthForRegistration(db, address!.registrationId);
    expect(health).toEqual([
      expect.objectContaining({ health: 'active', lastDeliveredAt: expect.any(Date) }),
    ]);
  });

  it('moves a delayed delivery on when the final report comes', async () => {
    const delay = of(first, 'delay');
    await sendBounce(server.inbound.port, delay.returnPath, 'exim-delayed');
    expect((await deliveryRow(db, delay.deliveryId)).state).toBe('delayed');
    expect((await addressesOf(db, ADDRESSES.delay))[0]).toMatchObject({ health: 'active' });
    await sendBounce(server.inbound.port, delay.returnPath, 'postfix-dsn-delivered');
    expect((await deliveryRow(db, delay.deliveryId)).state).toBe('delivered');
    expect(server.changed.at(-1)).toEqual({ messageId: first.messageId });
  });

  it('ignores auto-replies and reports about another envelope, but keeps them', async () => {
    const ok = of(first, 'ok');
    const soft = of(first, 'soft');
    const before = server.changed.length;
    await sendBounce(server.inbound.port, ok.returnPath, 'vacation');
    await sendBounce(server.inbound.port, soft.returnPath, 'postfix-dsn-failed', '999');
    await sendBounce(server.inbound.port, soft.returnPath, 'garbage');
    expect(server.changed).toHaveLength(before);
    expect((await deliveryRow(db, soft.deliveryId)).state).toBe('accepted');
    expect((await bounceReportsOf(db, ok.deliveryId)).map((r) => r.kind)).toContain('auto_reply');
    const kept = await bounceReportsOf(db, soft.deliveryId);
    expect(kept.map((r) => r.kind)).toEqual(['unparsed', 'unparsed']);
    expect(JSON.stringify(kept)).not.toContain('@');
  });

  it('marks every registration holding a hard-bounced address', async () => {
    const shared = of(first, 'shared');
    await sendBounce(server.inbound.port, shared.returnPath, 'qmail-failed');
    const rows = await addressesOf(db, ADDRESSES.shared);
    expect(rows.map((r) => r.health)).toEqual(['dead', 'dead']);
    const listed = await listCallListHouseholds(db, first.messageId);
    expect(listed.find((h) => h.householdId === households.shared)?.reason).toBe('failed');
  });

  it('applies a report that overtakes the dispatcher, and settles the message', async () => {
    const round = await send();
    const ok = of(round, 'ok');
    // As if the relay's bounce arrived before the dispatcher wrote 'accepted'.
    await db.execute(
      sql`update deliveries set state = 'sending', lease_owner = 'w', accepted_at = null where id = ${ok.deliveryId}`,
    );
    await db.execute(
      sql`update messages set state = 'sending', finished_at = null where id = ${round.messageId}`,
    );
    await sendBounce(server.inbound.port, ok.returnPath, 'postfix-dsn-delivered');
    expect(await deliveryRow(db, ok.deliveryId)).toMatchObject({
      state: 'delivered',
      leaseOwner: null,
    });
    expect((await messageRow(db, round.messageId)).state).toBe('done');
    // The event follows the stored state; under load it may come after the SMTP reply.
    await waitFor(() => server.finished.some((event) => event.messageId === round.messageId));
    expect(server.finished).toContainEqual({ messageId: round.messageId, state: 'done' });
  });
});

describe('address health', () => {
  const soft = async () => {
    const round = await send();
    await sendBounce(server.inbound.port, of(round, 'soft').returnPath, 'postfix-dsn-soft');
    return (await addressesOf(db, ADDRESSES.soft))[0]!;
  };

  it('makes an address failing after three soft bounces, and a success restores it', async () => {
    expect(await soft()).toMatchObject({ health: 'active', softBounces: 1 });
    expect(await soft()).toMatchObject({ health: 'active', softBounces: 2 });
    expect(await soft()).toMatchObject({ health: 'failing', softBounces: 3 });
    const failing = await householdsWithFailingAddress(db, [households.soft!]);
    expect([...failing]).toEqual([households.soft]);
    const round = await send();
    await sendBounce(server.inbound.port, of(round, 'soft').returnPath, 'postfix-dsn-delivered');
    expect((await addressesOf(db, ADDRESSES.soft))[0]).toMatchObject({
      health: 'active',
      softBounces: 0,
    });
  });

  it('starts counting again after the window', async () => {
    await db.execute(
      sql`update addresses set soft_bounces = 4, last_bounce_at = now() - interval '15 days' where carrier_domain = 'ezweb.ne.jp'`,
    );
    expect(await soft()).toMatchObject({ health: 'active', softBounces: 1 });
  });

  it('makes an address dead after five soft bounces in a row', async () => {
    await db.execute(
      sql`update addresses set soft_bounces = 3, health = 'failing' where carrier_domain = 'ezweb.ne.jp'`,
    );
    expect(await soft()).toMatchObject({ health: 'failing', softBounces: 4 });
    expect(await soft()).toMatchObject({ health: 'dead', softBounces: 5 });
    // A dead address is no longer mailed.
    expect((await send()).to.has(ADDRESSES.soft)).toBe(false);
  });

  it('weighs reports that arrive out of order by when the mail was accepted', async () => {
    const earlier = await send();
    const later = await send();
    await sendBounce(server.inbound.port, of(later, 'ok').returnPath, 'postfix-dsn-failed');
    expect((await addressesOf(db, ADDRESSES.ok))[0]).toMatchObject({ health: 'dead' });
    // The success of a mail accepted before that bounce proves nothing about the mailbox now.
    await sendBounce(server.inbound.port, of(earlier, 'ok').returnPath, 'postfix-dsn-delivered');
    expect((await deliveryRow(db, of(earlier, 'ok').deliveryId)).state).toBe('delivered');
    expect((await addressesOf(db, ADDRESSES.ok))[0]).toMatchObject({ health: 'dead' });
  });
});
