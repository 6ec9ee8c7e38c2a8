import {
  listCallListHouseholds,
  listEnrolledStudents,
  progressCounts,
  schema,
  type Db,
} from '@renraku/db';
import { confirmRequestOf } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import { startDispatcher, type RunningDispatcher } from '@renraku/dispatcher';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dispatcherEnv,
  messageDone,
  sendMessage,
  silentLogger,
  waitFor,
} from '../dispatch/fixtures';
import { keys, postForm, useParentsWeb } from '../parents/harness';
import { YEAR } from '../roster/fixtures';
import { logIn } from '../send/harness';
import { createLoginStaff } from '../support/staff';
import {
  startMockPushService,
  type MockPushService,
  type MockSubscription,
} from './mock-push-service';
import { postSubscription, pushRowsOf, registeredParent, vapidSettings } from './support';

// Push as the second channel of a real send, end to end: a parent subscribes on /account, the
// board sends, the dispatcher pushes through the mock push service (which checks the VAPID JWT
// and decrypts the payload), and the parent confirms from the page the notification opens. The
// push service's other answers: 410 removes the device, 429 with Retry-After is retried.

const vapid = vapidSettings();
const ctx = useParentsWeb({ env: { ...vapid, PUSH_ALLOW_PRIVATE_ENDPOINTS: '1' } });
let service: MockPushService;
let dispatcher: RunningDispatcher;
let boardId: number;

beforeAll(async () => {
  service = await startMockPushService({ vapidPublicKey: vapid.VAPID_PUBLIC_KEY! });
  boardId = (
    await createLoginStaff(ctx.db, {
      districtId: ctx.districtId,
      login: 'push-board',
      role: 'board',
      displayName: '教育委員会',
    })
  ).id;
  dispatcher = await startDispatcher({
    env: dispatcherEnv(ctx.sink.url, {
      ...vapid,
      PUSH_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      PUBLIC_URL: ctx.base,
      DISPATCH_RETRY_BASE_MS: '20',
    }),
    db: ctx.db,
    bus: createInProcessBus(),
    keys,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await dispatcher?.stop();
  await service?.close();
});

/** A registered parent with one device subscribed through the account page. */
async function subscribedParent(loginId: string, subscription: MockSubscription) {
  const parent = await registeredParent(ctx, loginId);
  const response = await postSubscription(ctx, parent.cookie, {
    ...subscription,
    expirationTime: null,
  });
  expect(response.status).toBe(201);
  const [device] = await pushRowsOf(ctx, parent.registrationId);
  return { ...parent, deviceId: device!.id };
}

function pushDeliveriesOf(db: Db, messageId: number) {
  return db
    .select()
    .from(schema.deliveries)
    .where(and(eq(schema.deliveries.messageId, messageId), eq(schema.deliveries.channel, 'push')));
}

/**
 * The board's district-wide send, once the dispatcher has finished it: to the roster
 * fixtures' classes, which are of the school year YEAR.
 */
async function sendAndFinish(extra: Partial<Parameters<typeof sendMessage>[1]> = {}) {
  const { id } = await sendMessage(
    ctx.db,
    { districtId: ctx.districtId, authorId: boardId, target: { kind: 'district' }, ...extra },
    new Date(`${YEAR}-12-01T09:00:00+09:00`),
  );
  await waitFor(() => messageDone(ctx.db, id));
  return id;
}

describe('a send by push', () => {
  it('reaches a family on push alone, which confirms from the page the notification opens', async () => {
    const subscription = service.subscribe();
    const parent = await subscribedParent('push-only', subscription);
    // The family turned to push: no address left, only the device.
    await ctx.db
      .delete(schema.addresses)
      .where(eq(schema.addresses.registrationId, parent.registrationId));
    const [student] = await ctx.db
      .select({ householdId: schema.students.householdId })
      .from(schema.students)
      .where(eq(schema.students.id, ctx.studentId));

    // A family on push alone is a registered family.
    const [registered] = await listEnrolledStudents(ctx.db, [ctx.classes.get('1:1組')!]);
    expect(registered).toMatchObject({ id: ctx.studentId, registered: true });

    const messageId = await sendAndFinish({
      subject: '臨時休校のお知らせ',
      body: '本日は大雪のため臨時休校とします。\n詳しくは学校からの連絡をご覧ください。',
      confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
    });

    const [delivery, ...more] = await pushDeliveriesOf(ctx.db, messageId);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({
      state: 'accepted',
      pushSubscriptionId: parent.deviceId,
      addressId: null,
      replyCode: 201,
    });
    const received = service.received.filter((push) =>
      subscription.endpoint.endsWith(push.subscription),
    );
    expect(received).toHaveLength(1);
    const push = received[0]!;
    // 緊急: woken at once, kept a day.
    expect(push.urgency).toBe('high');
    expect(push.ttl).toBe(String(24 * 3600));
    const payload = JSON.parse(push.payload) as Record<string, string>;
    expect(payload).toMatchObject({
      title: '【緊急連絡】臨時休校のお知らせ',
      body: '本日は大雪のため臨時休校とします。',
      tag: `message-${messageId}`,
    });
    expect(payload.url).toMatch(new RegExp(`^${ctx.base}/c/[0-9a-z][0-9A-Za-z_-]{15,23}$`));

    // The progress counts the push, the family is reached and so not on the call list.
    const progress = await progressCounts(ctx.db, messageId);
    expect(progress?.counts).toEqual({ accepted: 1 });
    expect(await listCallListHouseholds(ctx.db, messageId)).toEqual([]);
    // The dashboard counts it by channel.
    const dashboard = await fetch(`${ctx.base}/staff/messages/${messageId}`, {
      headers: { cookie: await logIn(ctx.base, 'push-board') },
    });
    const html = await dashboard.text();
    expect(html).toMatch(
      /data-channel="push"><th scope="row">プッシュ通知<\/th>\s*<td>1<\/td>\s*<td>1<\/td>\s*<td>0<\/td>/,
    );
    expect(html).toMatch(/data-channel="mail"><th scope="row">メール<\/th>\s*<td>0<\/td>/);

    // Tapping the notification opens the delivery's own page; its button confirms.
    const page = await fetch(payload.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('臨時休校のお知らせ');
    const tapped = await postForm(ctx, new URL(payload.url!).pathname, { choice: '1' });
    expect(tapped.status).toBe(200);
    const [answer, ...others] = await ctx.db
      .select()
      .from(schema.confirmations)
      .where(eq(schema.confirmations.messageId, messageId));
    expect(others).toEqual([]);
    expect(answer).toMatchObject({
      householdId: student!.householdId,
      choice: 1,
      deliveryId: delivery!.id,
    });
  });

  it('removes a device its push service says is gone (410), and fails that push', async () => {
    const subscription = service.subscribe({ status: 410 });
    const parent = await subscribedParent('push-gone', subscription);
    const messageId = await sendAndFinish({ confirm: null, category: 'education_info' });

    const [delivery] = (await pushDeliveriesOf(ctx.db, messageId)).filter(
      (row) => row.pushSubscriptionId === parent.deviceId,
    );
    expect(delivery).toMatchObject({ state: 'failed', replyCode: 410, attempts: 1 });
    expect(await pushRowsOf(ctx, parent.registrationId)).toEqual([]);
    // Its mail went as usual.
    const mails = await ctx.db
      .select({ state: schema.deliveries.state })
      .from(schema.deliveries)
      .where(
        and(eq(schema.deliveries.messageId, messageId), eq(schema.deliveries.channel, 'mail')),
      );
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.every((mail) => mail.state === 'accepted')).toBe(true);
  });

  it('retries a push the service refused with 429 after its Retry-After, then delivers it', async () => {
    const subscription = service.subscribe({
      sequence: [{ status: 429, retryAfter: '1' }, { status: 201 }],
    });
    const parent = await subscribedParent('push-busy', subscription);
    const started = Date.now();
    const messageId = await sendAndFinish({ confirm: null, category: 'education_info' });

    const [delivery] = (await pushDeliveriesOf(ctx.db, messageId)).filter(
      (row) => row.pushSubscriptionId === parent.deviceId,
    );
    expect(delivery).toMatchObject({ state: 'accepted', attempts: 2, replyCode: 201 });
    const id = subscription.endpoint.split('/').pop()!;
    expect(service.requests.get(id)).toBe(2);
    // Not before the second the service asked for.
    expect(delivery!.acceptedAt!.getTime() - started).toBeGreaterThanOrEqual(1000);
    const education = service.received.filter((push) => push.subscription === id);
    // 教育情報: normal urgency, kept three days.
    expect(education.map((push) => push.urgency)).toEqual(['normal', 'normal']);
    expect(education[0]!.ttl).toBe(String(72 * 3600));
    const payload = JSON.parse(education[1]!.payload) as { url: string };
    // Nothing to answer: the notification opens the inbox.
    expect(payload.url).toBe(`${ctx.base}/account/inbox`);
  });
});
