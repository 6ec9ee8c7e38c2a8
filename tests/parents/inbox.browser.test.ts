import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { TEST_SECRET_KEY } from '../dispatch/fixtures';
import { storedConfirmations } from '../confirmation/page-harness';
import { launchBrowser } from '../support/browser';
import { startTestWeb, type RunningWeb } from '../support/web';
import { INBOX_PASSWORD, inboxWorld } from './inbox-world';

// A parent logs in on a small phone, opens the inbox from the account page and taps
// 「けががあります」 under the closure: with JavaScript (use:enhance) and without it, as a
// feature phone's browser. No sideways scrolling, big buttons, the answer stored and shown.

const SMALL_PHONE = { width: 360, height: 640 };

let database: TestDatabase;
let web: RunningWeb;
let base: string;
let browser: Browser;
let world: Awaited<ReturnType<typeof inboxWorld>>;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await inboxWorld(database.handle.db);
  ({ web, base } = await startTestWeb(database, { env: { SECRET_KEY: TEST_SECRET_KEY } }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await database?.drop();
});

describe('the inbox on a small phone', () => {
  for (const javaScriptEnabled of [false, true]) {
    it(`taps a choice and shows the answer (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({
        viewport: SMALL_PHONE,
        javaScriptEnabled,
        locale: 'ja-JP',
      });
      const page = await context.newPage();
      const choice = javaScriptEnabled ? 2 : 4;
      const label = javaScriptEnabled ? 'けががあります' : '迎えに行けません';
      try {
        await page.goto(`${base}/account/login`);
        await page.getByLabel('ログインID').fill(world.logins.ichiro);
        await page.getByLabel('パスワード').fill(INBOX_PASSWORD);
        await page.getByRole('button', { name: 'ログイン' }).click();
        await page.getByRole('link', { name: 'これまでのお知らせ（受信箱）' }).click();
        await page.getByRole('heading', { name: 'これまでのお知らせ' }).waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
          SMALL_PHONE.width,
        );
        const closure = page.locator(`#m${world.messages.safety}`);
        await closure.getByRole('heading', { name: '【緊急連絡】臨時休校のお知らせ' }).waitFor();
        const button = closure.getByRole('button', { name: label });
        const box = await button.boundingBox();
        expect(box?.height).toBeGreaterThanOrEqual(44);
        expect(box?.width).toBeGreaterThan(SMALL_PHONE.width * 0.8);
        await page.screenshot({ path: `/tmp/inbox-${choice}.png`, fullPage: false });

        await button.click();
        await closure.getByText('回答しました').waitFor();
        expect(await closure.textContent()).toContain(`回答: ${label}`);
      } finally {
        await context.close();
      }
      expect(await storedConfirmations(database.handle.db)).toEqual([
        { householdId: world.households.aoki, choice, channel: 'link', late: false },
      ]);
    });
  }
});
