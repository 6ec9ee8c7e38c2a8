import { subscribePush, type PushContext } from '@renraku/core/push';
import { schema } from '@renraku/db';
import { createInProcessBus } from '@renraku/shared/bus';
import { pushEndpointIndex, unsealPushSubscription } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getPage, keys, postForm, useParentsWeb } from '../parents/harness';
import {
  fakeSubscription,
  postSubscription,
  pushRowsOf,
  registeredParent,
  vapidSettings,
} from './support';

// Subscribing a device through the account's endpoint, listing and removing devices, and the
// channel setting, on the built web and a real PostgreSQL.

const ctx = useParentsWeb({ env: vapidSettings() });

describe('subscribing a device', () => {
  it('stores a subscription sealed, once per endpoint', async () => {
    const parent = await registeredParent(ctx, 'push-good');
    const subscription = fakeSubscription();
    const first = await postSubscription(ctx, parent.cookie, subscription);
    expect(first.status).toBe(201);
    const added = (await first.json()) as { id: number; outcome: string };
    expect(added.outcome).toBe('added');

    const [row, ...more] = await pushRowsOf(ctx, parent.registrationId);
    expect(more).toEqual([]);
    expect(row!.id).toBe(added.id);
    expect(row!.pushService).toBe('https://fcm.googleapis.com');
    expect(row!.deviceLabel).toBe('Android · Chrome');
    expect(row!.endpointIndex).toBe(pushEndpointIndex(keys, subscription.endpoint));
    // Nothing of the endpoint or the keys in clear, in any column.
    const stored = JSON.stringify(row) + Object.values(row!).map(String).join('');
    for (const secret of [
      subscription.endpoint,
      subscription.endpoint.split('/').pop()!,
      subscription.keys.p256dh,
      subscription.keys.auth,
    ]) {
      expect(stored).not.toContain(secret);
    }
    for (const sealed of [row!.endpointCiphertext, row!.p256dhCiphertext, row!.authCiphertext]) {
      expect(sealed.toString('latin1')).not.toContain(subscription.keys.auth);
    }
    expect(unsealPushSubscription(keys, row!)).toEqual({
      endpoint: subscription.endpoint,
      keys: subscription.keys,
    });

    // The same device again (new keys after a browser update, say): renewed, still one row.
    const again = { ...fakeSubscription(subscription.endpoint) };
    const second = await postSubscription(ctx, parent.cookie, again);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ id: added.id, outcome: 'renewed' });
    const rows = await pushRowsOf(ctx, parent.registrationId);
    expect(rows).toHaveLength(1);
    expect(unsealPushSubscription(keys, rows[0]!).keys).toEqual(again.keys);
    expect(rows[0]!.createdAt).toEqual(row!.createdAt);
  });

  it('takes five devices and refuses the sixth, storing nothing', async () => {
    const parent = await registeredParent(ctx, 'push-full');
    for (let device = 0; device < 5; device += 1) {
      expect((await postSubscription(ctx, parent.cookie, fakeSubscription())).status).toBe(201);
    }
    const sixth = await postSubscription(ctx, parent.cookie, fakeSubscription());
    expect(sixth.status).toBe(400);
    const refusal = (await sixth.json()) as { error: string; message: string };
    expect(refusal.error).toBe('too_many_devices');
    expect(refusal.message).toContain('5 台まで');
    expect(await pushRowsOf(ctx, parent.registrationId)).toHaveLength(5);
  });

  it('refuses malformed subscriptions and SSRF endpoints with 400, storing nothing', async () => {
    const parent = await registeredParent(ctx, 'push-bad');
    const good = fakeSubscription();
    const bad: [string, unknown, string][] = [
      ['http endpoint', { ...good, endpoint: 'http://fcm.googleapis.com/fcm/send/x' }, 'endpoint'],
      ['loopback', { ...good, endpoint: 'https://127.0.0.1/push' }, 'endpoint'],
      ['localhost', { ...good, endpoint: 'https://localhost/push' }, 'endpoint'],
      ['metadata', { ...good, endpoint: 'https://169.254.169.254/latest/meta-data' }, 'endpoint'],
      ['metadata v6', { ...good, endpoint: 'https://[fd00:ec2::254]/x' }, 'endpoint'],
      ['private', { ...good, endpoint: 'https://192.168.0.10/push' }, 'endpoint'],
      ['not a URL', { ...good, endpoint: 'push me' }, 'endpoint'],
      ['short p256dh', { ...good, keys: { ...good.keys, p256dh: 'BAAA' } }, 'keys.p256dh'],
      ['long auth', { ...good, keys: { ...good.keys, auth: 'A'.repeat(40) } }, 'keys.auth'],
      [
        'base64 auth',
        { ...good, keys: { ...good.keys, auth: 'ab+/ab+/ab+/ab+/ab+/aQ' } },
        'keys.auth',
      ],
      ['no keys', { endpoint: good.endpoint }, 'keys'],
    ];
    for (const [what, body, path] of bad) {
      const response = await postSubscription(ctx, parent.cookie, body);
      expect(response.status, what).toBe(400);
      const refusal = (await response.json()) as {
        error: string;
        message: string;
        issues: { path: string; message: string }[];
      };
      expect(refusal.error, what).toBe('invalid_subscription');
      expect(refusal.message, what).toContain('通知の登録内容が正しくありません');
      expect(
        refusal.issues.map((issue) => issue.path),
        what,
      ).toEqual([path]);
    }
    for (const raw of ['{not json', '', `{"endpoint":"${'x'.repeat(9000)}"}`]) {
      const response = await postSubscription(ctx, parent.cookie, undefined, { raw });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_subscription');
    }
    expect(await pushRowsOf(ctx, parent.registrationId)).toEqual([]);
  });

  it('needs the parent signed in, on this site', async () => {
    const parent = await registeredParent(ctx, 'push-door');
    const anonymous = await postSubscription(ctx, undefined, fakeSubscription());
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/account\/login/);
    const crossSite = await fetch(`${ctx.base}/account/push`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        cookie: parent.cookie,
      },
      body: JSON.stringify(fakeSubscription()),
    });
    expect(crossSite.status).toBe(403);
    expect(
      await ctx.db
        .select()
        .from(schema.pushSubscriptions)
        .where(eq(schema.pushSubscriptions.registrationId, parent.registrationId)),
    ).toEqual([]);
  });

  it('lets a local mock push service through only under the test-only setting', async () => {
    const parent = await registeredParent(ctx, 'push-mock');
    const mock = fakeSubscription('http://127.0.0.1:4100/push/device-1');
    // This web runs without PUSH_ALLOW_PRIVATE_ENDPOINTS.
    expect((await postSubscription(ctx, parent.cookie, mock)).status).toBe(400);
    const testing: PushContext = {
      db: ctx.db,
      keys,
      bus: createInProcessBus(),
      logger: createLogger('push-test', 'silent'),
      env: { push: { allowPrivateEndpoints: true } },
    };
    await expect(subscribePush(testing, parent.registrationId, mock, '')).resolves.toMatchObject({
      outcome: 'added',
    });
    expect(await pushRowsOf(ctx, parent.registrationId)).toHaveLength(1);
  });
});

describe('the account page', () => {
  it('lists devices with their date, never the endpoint, and removes them without JavaScript', async () => {
    const parent = await registeredParent(ctx, 'push-list');
    const subscription = fakeSubscription();
    await postSubscription(ctx, parent.cookie, subscription);
    const [row] = await pushRowsOf(ctx, parent.registrationId);

    const page = await (await getPage(ctx, '/account', parent.cookie)).text();
    expect(page).toContain('Android · Chrome');
    expect(page).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 追加/);
    expect(page).toContain('JavaScript が必要です');
    expect(page).toContain('/account/install');
    expect(page).not.toContain(subscription.endpoint.split('/').pop()!);
    expect(page).not.toContain(subscription.keys.auth);

    const removed = await postForm(
      ctx,
      '/account?/removeDevice',
      { deviceId: String(row!.id) },
      parent.cookie,
    );
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain('その端末への通知を止めました');
    expect(await pushRowsOf(ctx, parent.registrationId)).toEqual([]);
  });

  it("cannot remove another family's device: 404, nothing changed", async () => {
    const owner = await registeredParent(ctx, 'push-owner');
    const other = await registeredParent(ctx, 'push-other');
    await postSubscription(ctx, owner.cookie, fakeSubscription());
    const [row] = await pushRowsOf(ctx, owner.registrationId);
    for (const deviceId of [String(row!.id), 'abc', '-1', '']) {
      const response = await postForm(ctx, '/account?/removeDevice', { deviceId }, other.cookie);
      expect(response.status, deviceId).toBe(404);
      expect(await response.text()).toContain('その端末は見つかりませんでした');
    }
    expect(await pushRowsOf(ctx, owner.registrationId)).toHaveLength(1);
  });

  it('keeps 教育情報 by mail on by default, and lets the parent turn it off and on', async () => {
    const parent = await registeredParent(ctx, 'push-channels');
    const educationMail = async () =>
      (
        await ctx.db.query.registrations.findFirst({
          where: eq(schema.registrations.id, parent.registrationId),
        })
      )?.educationMail;
    expect(await educationMail()).toBe(true);
    expect(await (await getPage(ctx, '/account', parent.cookie)).text()).toMatch(
      /name="educationMail" checked/,
    );

    const off = await postForm(ctx, '/account?/channels', {}, parent.cookie);
    expect(off.status).toBe(200);
    expect(await off.text()).toContain('受け取り方を保存しました');
    expect(await educationMail()).toBe(false);
    expect(await (await getPage(ctx, '/account', parent.cookie)).text()).not.toMatch(
      /name="educationMail" checked/,
    );

    await postForm(ctx, '/account?/channels', { educationMail: 'on' }, parent.cookie);
    expect(await educationMail()).toBe(true);
  });

  it('offers the install help without a login, in both languages', async () => {
    const page = await getPage(ctx, '/account/install');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('ホーム画面に追加');
    expect(html).toContain('アプリをインストール');
    expect(html).toContain('共有');
    expect(html).toContain('16.4');
    const english = await fetch(`${ctx.base}/account/install`, {
      headers: { 'accept-language': 'en' },
    });
    expect(await english.text()).toContain('Add to Home Screen');
  });
});
