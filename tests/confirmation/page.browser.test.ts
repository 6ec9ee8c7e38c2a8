import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf } from '@renraku/shared';
import {
  addFamilies,
  createDistrictWithClass,
  sendMessage,
  TEST_SECRET_KEY,
} from '../dispatch/fixtures';
import { launchBrowser } from '../support/browser';
import { startTestWeb, type RunningWeb } from '../support/web';
import { storedConfirmations, tokensOf } from './page-harness';

// A parent opens the personal link on a small phone (360×640) whose browser runs no
// JavaScript, as a feature phone's, and taps 「けががあります」: one request for the page, no
// sideways scrolling, big buttons, and the answer is stored and shown.

const SMALL_PHONE = { width: 360, height: 640 };

let database: TestDatabase;
let web: RunningWeb;
let base: string;
let browser: Browser;
let token: string;
let household: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database.handle;
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと小学校');
  ({
    householdIds: [household = 0],
  } = await addFamilies(db, [[{ klass, name: '青木 一郎', addresses: ['aoki@docomo.ne.jp'] }]]));
  const message = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  });
  token = (await tokensOf(db, message.id))('aoki@docomo.ne.jp');
  ({ web, base } = await startTestWeb(database, { env: { SECRET_KEY: TEST_SECRET_KEY } }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await database?.drop();
});

describe('the confirmation page on a small phone without JavaScript', () => {
  it('taps a choice and shows the answer', async () => {
    const context = await browser.newContext({
      viewport: SMALL_PHONE,
      javaScriptEnabled: false,
      locale: 'ja-JP',
    });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    try {
      await page.goto(`${base}/c/${token}`);
      await page.getByRole('heading', { name: '【緊急連絡】臨時休校のお知らせ' }).waitFor();
      expect(requested.filter((path) => path !== '/favicon.svg')).toEqual([`/c/${token}`]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        SMALL_PHONE.width,
      );
      const button = page.getByRole('button', { name: 'けががあります' });
      const box = await button.boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(44);
      expect(box?.width).toBeGreaterThan(SMALL_PHONE.width * 0.8);
      await page.screenshot({ path: '/tmp/confirm-page.png', fullPage: true });
      expect(await storedConfirmations(database.handle.db)).toEqual([]);

      await button.click();
      await page.getByText('回答しました').waitFor();
      expect(await page.textContent('main')).toContain('回答: けががあります');
      await page.screenshot({ path: '/tmp/confirm-answered.png', fullPage: true });
    } finally {
      await context.close();
    }
    expect(await storedConfirmations(database.handle.db)).toEqual([
      { householdId: household, choice: 2, channel: 'link', late: false },
    ]);
  });
});
