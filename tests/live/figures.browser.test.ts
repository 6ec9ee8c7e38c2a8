import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { createFiguresWorld, type FiguresWorld } from './figures-world';
import { startTestWeb, type RunningWeb } from './harness';

// The figures a school office sees where JavaScript is off or the school's network filters
// WebSockets, and on a phone: real counts from the server, a word that updates are paused,
// no empty box, nothing wider than the screen.

let database: TestDatabase;
let web: RunningWeb;
let base: string;
let browser: Browser;
let world: FiguresWorld;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ web, base } = await startTestWeb(database));
  world = await createFiguresWorld(database.handle.db);
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await web?.close();
  await database?.drop();
});

/** A signed-in browser context; the cookie header value is `renraku_staff=<token>`. */
async function signedIn(
  cookie: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  contexts.push(context);
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  return context.newPage();
}

const text = async (page: Page, id: string) =>
  (await page.getByTestId(id).first().textContent())?.trim();

describe('without JavaScript', () => {
  it('shows the real counts of the dashboard and the list, and says updates are paused', async () => {
    const page = await signedIn(world.cookies.teacher, { javaScriptEnabled: false });
    await page.goto(`${base}/staff/messages/${world.sending}`);
    expect(await text(page, 'total')).toBe('6');
    expect(await text(page, 'reached')).toBe('2');
    expect(await text(page, 'failed')).toBe('1');
    expect(await text(page, 'message-state')).toBe('配信中');
    expect(await page.getByTestId('live-paused').first().textContent()).toContain(
      '自動更新は停止中',
    );
    // The reload the notice offers is a plain GET of the same page.
    await page.getByRole('button', { name: '最新の数字を表示' }).first().click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/staff/messages/${world.sending}`);
    expect(await text(page, 'total')).toBe('6');

    await page.goto(`${base}/staff/messages`);
    const progress = page.getByTestId('message-progress');
    expect(await progress.first().textContent()).toContain('4 / 6件');
    expect(await progress.nth(1).textContent()).toContain('6 / 6件');
  });
});

describe('with the socket blocked', () => {
  it('keeps the load’s counts and says 自動更新は停止中', async () => {
    const page = await signedIn(world.cookies.board);
    // As a filtering network does: the WebSocket handshake never succeeds.
    await page.routeWebSocket(/\/socket\.io\//, (socket) => socket.close());
    await page.goto(`${base}/staff/messages/${world.sending}`);
    await page.getByTestId('live-paused').filter({ hasText: '自動更新は停止中' }).waitFor();
    expect(await text(page, 'total')).toBe('18');
    expect(await text(page, 'reached')).toBe('6');
    expect(await text(page, 'percent')).toBe('44%');
    expect(await text(page, 'settled')).toBe('8 / 18');
  });
});

describe('on a 390 px phone', () => {
  it('the dashboard, the list and the overview fit the screen; no empty unlabelled box', async () => {
    const page = await signedIn(world.cookies.board, { viewport: PHONE_VIEWPORT });
    // English words do not wrap where Japanese does: both languages must fit.
    for (const lang of ['en', 'ja']) {
      for (const id of [world.sending, world.done]) {
        await page.goto(`${base}/staff/messages/${id}?lang=${lang}`, { waitUntil: 'networkidle' });
        const widest = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(widest, `${lang} /staff/messages/${id}`).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      }
    }
    // A finished send has no live seconds to chart: no chart at all, rather than a grey frame.
    expect(await page.locator('svg').count()).toBe(0);
    // The list of messages and the overview as well.
    for (const lang of ['en', 'ja']) {
      for (const path of ['/staff/messages', '/staff/overview']) {
        await page.goto(`${base}${path}?lang=${lang}`, { waitUntil: 'networkidle' });
        const widest = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(widest, `${lang} ${path}`).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      }
    }
    // A send in progress charts its pace once it has live seconds, and says what the chart is.
    await page.goto(`${base}/staff/messages/${world.sending}`);
    await page
      .locator('figure', { has: page.locator('svg') })
      .getByText('直近1分の送信速度')
      .waitFor();
  });
});
