import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { useParentsWeb } from '../parents/harness';
import { fakeSubscription, pushRowsOf, registeredParent, vapidSettings } from './support';

// The PWA in Chromium at a phone viewport: the service worker registers, the account offers
// 「この端末に通知する」, a subscription (injected through the subscribe endpoint: headless
// Chromium reaches no real push service) is listed and removed, and a push shows a notification.

const ctx = useParentsWeb({ env: vapidSettings() });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** A phone signed in as a newly registered parent. */
async function signedInPhone(loginId: string) {
  const parent = await registeredParent(ctx, loginId);
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' });
  const [name, value] = parent.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: ctx.base }]);
  await context.grantPermissions(['notifications'], { origin: ctx.base });
  return { parent, context, page: await context.newPage() };
}

/** The active worker's script, once the page's service worker is ready. */
function activeWorker(page: Page): Promise<string | undefined> {
  return page.evaluate<string | undefined>(
    '(async () => (await navigator.serviceWorker.ready).active?.scriptURL)()',
  );
}

describe('the PWA on a phone', () => {
  let context: BrowserContext | undefined;

  afterAll(async () => {
    await context?.close();
  });

  it('registers the service worker, lists an injected device and removes it', async () => {
    const phone = await signedInPhone('pwa-phone');
    context = phone.context;
    const { page, parent } = phone;
    await page.goto(`${ctx.base}/account`);
    expect(await activeWorker(page)).toBe(`${ctx.base}/service-worker.js`);

    // With JavaScript and Push, the button replaces the no-JavaScript text.
    await page.getByRole('button', { name: 'この端末に通知する' }).waitFor();
    expect(await page.textContent('main')).not.toContain('JavaScript が必要です');

    const manifest = await page.evaluate<{ name: string; lang: string } | null>(`(async () => {
      const link = document.querySelector('link[rel="manifest"]');
      return link ? (await fetch(link.href)).json() : null;
    })()`);
    expect(manifest).toMatchObject({ name: '学校緊急連絡メール', lang: 'ja' });

    const status = await page.evaluate(
      async (subscription) =>
        (
          await fetch('/account/push', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(subscription),
          })
        ).status,
      fakeSubscription(),
    );
    expect(status).toBe(201);

    await page.reload();
    const devices = page.locator('#push li');
    await expect.poll(() => devices.count()).toBe(1);
    expect(await devices.first().textContent()).toMatch(
      /Linux · Chrome\s*\d{4}年\d{1,2}月\d{1,2}日 追加/,
    );
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);

    await devices.first().getByRole('button', { name: '削除' }).click();
    await page.getByText('その端末への通知を止めました。').waitFor();
    await expect.poll(() => devices.count()).toBe(0);
    expect(await pushRowsOf(ctx, parent.registrationId)).toEqual([]);

    // Nothing but the app shell is cached: no account page went into the inbox cache.
    const cached = await page.evaluate<{ names: string[]; inbox: string[] }>(`(async () => {
      const inbox = (await caches.has('renraku-inbox'))
        ? (await (await caches.open('renraku-inbox')).keys()).map((request) => request.url)
        : [];
      return { names: await caches.keys(), inbox };
    })()`);
    expect(cached.inbox).toEqual([]);
    expect(cached.names.every((name) => name.startsWith('renraku-'))).toBe(true);
  });

  it('reads the cached inbox offline, and empties it when the parent logs out', async () => {
    const phone = await signedInPhone('pwa-logout');
    const { page } = phone;
    try {
      await page.goto(`${ctx.base}/account`);
      await activeWorker(page);
      // As the worker keeps a page of the inbox once the parent has read it.
      await page.evaluate(`(async () => {
        const cache = await caches.open('renraku-inbox');
        await cache.put(
          '/account/inbox',
          new Response('<p>our messages</p>', { headers: { 'content-type': 'text/html' } }),
        );
      })()`);
      // Offline, the worker answers the inbox from its cache.
      await phone.context.setOffline(true);
      await page.goto(`${ctx.base}/account/inbox`);
      expect(await page.textContent('p')).toBe('our messages');
      await phone.context.setOffline(false);

      await page.goto(`${ctx.base}/account`);
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.waitForURL(/\/account\/login/);
      await expect.poll(() => page.evaluate(`caches.has('renraku-inbox')`)).toBe(false);
    } finally {
      await phone.context.close();
    }
  });

  it('is never registered by the staff pages', async () => {
    const staff = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'ja-JP' });
    try {
      const page = await staff.newPage();
      await page.goto(`${ctx.base}/staff/login`);
      await page.getByRole('heading', { name: '教職員ログイン' }).waitFor();
      expect(
        await page.evaluate<number>(
          '(async () => (await navigator.serviceWorker.getRegistrations()).length)()',
        ),
      ).toBe(0);
    } finally {
      await staff.close();
    }
  });

  it('shows a push as a notification with its title, body and page', async () => {
    const phone = await signedInPhone('pwa-push');
    const { page } = phone;
    try {
      await page.goto(`${ctx.base}/account`);
      await activeWorker(page);
      const cdp = await phone.context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) => {
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
          const ours = registrations.find((registration) =>
            registration.scopeURL.startsWith(ctx.base),
          );
          if (ours) resolve(ours.registrationId);
        });
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: ctx.base,
        registrationId: await registrationId,
        data: JSON.stringify({
          title: '【緊急連絡】臨時休校',
          body: '大雪のため本日は臨時休校とします。',
          url: '/account/inbox',
        }),
      });
      const shown = () =>
        page.evaluate(`(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((notification) => ({
            title: notification.title,
            body: notification.body,
            url: notification.data.url,
          })))()`);
      await expect.poll(shown).toEqual([
        {
          title: '【緊急連絡】臨時休校',
          body: '大雪のため本日は臨時休校とします。',
          url: `${ctx.base}/account/inbox`,
        },
      ]);
    } finally {
      await phone.context.close();
    }
  });
});
