import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import {
  applySendFailureHealth,
  claimDeliveries,
  createDb,
  progressCounts,
  recordDeliveryOutcomes,
  renewLeases,
  schema,
  settleMessages,
  type Db,
  type DbHandle,
  type DeliveryOutcome,
} from '@renraku/db';
import { chaseDueMessages } from '@renraku/core/confirmation';
import { startCatcher } from '@renraku/dispatcher';
import { createInProcessBus } from '@renraku/shared/bus';
import { confirmRequestOf } from '@renraku/shared';
import { decryptAddress } from '@renraku/shared/crypto';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  deliveriesOf,
  keys,
  messageDone,
  messageRow,
  sendMessage,
  silentLogger,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from './fixtures';

// The embedded mode: the same claim and status path on PGlite, and a whole send from the
// dispatcher to the built-in mail catcher.

let handle: DbHandle;
let db: Db;
let world: { districtId: number; authorId: number };

async function newMessage(count: number, prefix: string) {
  const school = await createSchool(db, world.districtId, `${prefix}小学校`);
  const klass = await createClass(db, school, 1, '1組');
  await addFamilies(
    db,
    simpleFamilies(klass, count, (i) => `${prefix}-${i}@example.jp`),
  );
  const { id } = await sendMessage(db, {
    districtId: world.districtId,
    schoolId: school.id,
    authorId: world.authorId,
    category: 'education_info',
    subject: '運動会の延期',
    body: '雨天のため運動会を来週に延期します。',
    target: { kind: 'classes', classIds: [klass.id] },
  });
  return id;
}

const accepted = (id: number): DeliveryOutcome => ({
  id,
  state: 'accepted',
  attempted: true,
  code: 250,
  text: '250 ok',
  retryInMs: null,
});

beforeAll(async () => {
  handle = await createDb({ dataDir: 'memory://' });
  await handle.migrate();
  db = handle.db;
  const district = await createDistrict(db);
  const author = await createStaff(db, district.id, 'board', '教育委員会');
  world = { districtId: district.id, authorId: author.id };
});

afterAll(async () => {
  await handle.close();
});

describe('claims and status writes on PGlite', () => {
  it('leases disjoint batches, decryptable, and marks the message as sending', async () => {
    const id = await newMessage(12, 'claim');
    const a = await claimDeliveries(db, { workerId: 'a', leaseMs: 60_000 }, 5);
    const b = await claimDeliveries(db, { workerId: 'b', leaseMs: 60_000 }, 100);
    expect(a).toHaveLength(5);
    expect(b).toHaveLength(7);
    expect(a.filter((x) => b.some((y) => y.id === x.id))).toEqual([]);
    expect(a.every((d) => d.previousState === 'queued' && d.messageId === id)).toBe(true);
    expect(decryptAddress(keys, a[0]!.ciphertext!)).toMatch(/^claim-\d+@example\.jp$/);
    expect((await progressCounts(db, id))!.messageState).toBe('sending');
    expect(await claimDeliveries(db, { workerId: 'c', leaseMs: 60_000 }, 100)).toEqual([]);

    // Only the lease holder's writes count.
    expect(
      await recordDeliveryOutcomes(
        db,
        'b',
        a.map((d) => accepted(d.id)),
      ),
    ).toEqual([]);
    const stored = await recordDeliveryOutcomes(
      db,
      'a',
      a.map((d) => accepted(d.id)),
    );
    expect(stored.map((row) => row.state)).toEqual(Array(5).fill('accepted'));
    expect(await settleMessages(db, [id])).toEqual([]);
    await recordDeliveryOutcomes(
      db,
      'b',
      b.map((d) => ({ ...accepted(d.id), state: 'failed' as const, code: 550, text: '550 no' })),
    );
    expect(await settleMessages(db, [id])).toEqual([id]);
    expect(await progressCounts(db, id)).toMatchObject({
      messageState: 'done',
      counts: { accepted: 5, failed: 7 },
    });
  });

  it('returns an expired lease to another worker and ignores the late owner', async () => {
    const id = await newMessage(3, 'lease');
    const first = await claimDeliveries(db, { workerId: 'slow', leaseMs: 1 }, 10);
    expect(first).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const taken = await claimDeliveries(db, { workerId: 'fresh', leaseMs: 60_000 }, 10);
    expect(taken.map((d) => d.previousState)).toEqual(['sending', 'sending', 'sending']);
    expect(
      await recordDeliveryOutcomes(
        db,
        'slow',
        first.map((d) => accepted(d.id)),
      ),
    ).toEqual([]);
    await renewLeases(db, { workerId: 'fresh', leaseMs: 60_000 });
    expect(await claimDeliveries(db, { workerId: 'other', leaseMs: 60_000 }, 10)).toEqual([]);
    const deferred = await recordDeliveryOutcomes(
      db,
      'fresh',
      taken.map((d) => ({
        ...accepted(d.id),
        state: 'deferred' as const,
        code: 451,
        retryInMs: 60_000,
      })),
    );
    expect(deferred).toHaveLength(3);
    // Deferred to later: not claimable now, and the message stays open.
    expect(await claimDeliveries(db, { workerId: 'other', leaseMs: 60_000 }, 10)).toEqual([]);
    expect(await settleMessages(db, [id])).toEqual([]);
    const rows = await deliveriesOf(db, id);
    expect(rows.every((row) => row.attempts === 1 && row.replyCode === 451)).toBe(true);
  });
});

describe('address health on PGlite', () => {
  it("applies the relay's refusals to the addresses they went to", async () => {
    const id = await newMessage(3, 'refused');
    const claimed = (await claimDeliveries(db, { workerId: 'r', leaseMs: 60_000 }, 10)).filter(
      (d) => d.messageId === id,
    );
    const refused = { state: 'failed' as const, code: 550, text: '550 5.1.1 unknown' };
    await recordDeliveryOutcomes(
      db,
      'r',
      claimed.map((d) => ({ ...accepted(d.id), ...refused })),
    );
    const [hard, soft] = claimed;
    await applySendFailureHealth(db, [
      { deliveryId: hard!.id, effect: 'hard' },
      { deliveryId: soft!.id, effect: 'soft' },
    ]);
    const rows = await deliveriesOf(db, id);
    const addresses = await db
      .select()
      .from(schema.addresses)
      .where(
        inArray(
          schema.addresses.id,
          rows.map((row) => row.addressId!),
        ),
      );
    const healthOf = (deliveryId: number) => {
      const addressId = rows.find((row) => row.id === deliveryId)!.addressId;
      const { health, softBounces } = addresses.find((a) => a.id === addressId)!;
      return { health, softBounces };
    };
    expect(healthOf(hard!.id)).toEqual({ health: 'dead', softBounces: 0 });
    expect(healthOf(soft!.id)).toEqual({ health: 'active', softBounces: 1 });
    expect(healthOf(claimed[2]!.id)).toEqual({ health: 'active', softBounces: 0 });
  });
});

describe('embedded send', () => {
  it('sends a whole message from PGlite to the built-in catcher', async () => {
    const catcher = await startCatcher({ port: 0 });
    const id = await newMessage(25, 'embedded');
    const dispatcher = await startTestDispatcher(db, `smtp://127.0.0.1:${catcher.port}`);
    await waitFor(() => messageDone(db, id));
    await dispatcher.stop();
    await catcher.close();
    const mails = catcher.outbox.list();
    expect(mails).toHaveLength(25);
    expect(new Set(mails.map((mail) => mail.envelopeTo[0])).size).toBe(25);
    const newest = mails[0]!;
    expect(catcher.outbox.get(newest.id)).toEqual(newest);
    expect(newest.subject).toBe('【教育情報】運動会の延期');
    expect(newest.text).toContain('雨天のため運動会を来週に延期します。');
    expect(newest.envelopeFrom).toMatch(/^bounce\+\d+-[\w-]+@renraku\.test$/);
    expect((await simpleParser(newest.raw)).from?.text).toContain('embedded小学校');
    expect((await progressCounts(db, id))!.counts).toEqual({ accepted: 25 });
  });
});

describe('embedded chase', () => {
  it('re-sends at the deadline and escalates on PGlite too', async () => {
    const school = await createSchool(db, world.districtId, 'chase小学校');
    const klass = await createClass(db, school, 1, '1組');
    await addFamilies(
      db,
      simpleFamilies(klass, 3, (i) => `chase-${i}@example.jp`),
    );
    const { id } = await sendMessage(db, {
      districtId: world.districtId,
      authorId: world.authorId,
      target: { kind: 'classes', classIds: [klass.id] },
      confirm: confirmRequestOf('emergency_contact', { deadlineMinutes: 10 }),
    });
    // The first mails went (a mail still on its way is not chased).
    await db
      .update(schema.deliveries)
      .set({ state: 'accepted' })
      .where(eq(schema.deliveries.messageId, id));
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '1 second'` })
      .where(eq(schema.messages.id, id));
    const ctx = { db, bus: createInProcessBus(), logger: silentLogger };
    expect(await chaseDueMessages(ctx)).toEqual({ chased: [id], escalated: [] });
    const [resend] = await db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.resendOf, id));
    expect(resend!.recipientCount).toBe(3);
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '11 minutes'` })
      .where(eq(schema.messages.id, id));
    expect(await chaseDueMessages(ctx)).toEqual({ chased: [], escalated: [id] });
    expect((await messageRow(db, id)).escalatedAt).not.toBeNull();
  });
});
