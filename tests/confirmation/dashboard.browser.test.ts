import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createConfirmationRecorder, type ConfirmationRecorder } from '@renraku/core/confirmation';
import { createInProcessBus } from '@renraku/shared/bus';
import { createLogger } from '@renraku/shared/logger';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
} from '../dispatch/fixtures';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import { assignClass, sessionCookie, startTestWeb, type RunningWeb } from '../live/harness';
import { sendSafetyCheck, tapLink } from './world';

// A teacher on a phone watches a 安否確認 in Chromium: a family's tap moves the dashboard's
// confirmed count and the tally of its choice without a reload, and an answer that needs a
// call puts the family on the open call list, in its section of its own.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let browser: Browser;
let recorder: ConfirmationRecorder;
let messageId: number;
let cookie: string;
let deliveryOf: (address: string) => number;

async function phonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  return context.newPage();
}

const tap = (address: string, choice: number) => tapLink(recorder, deliveryOf(address), choice);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const bus = createInProcessBus();
  ({ web, base } = await startTestWeb(database, { bus }));
  recorder = createConfirmationRecorder({ db, bus, logger: createLogger('test', 'silent') });
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  const school = await createSchool(db, district.id, 'みなと第一小学校');
  const klass = await createClass(db, school, 2, '1組');
  await addFamilies(
    db,
    Array.from({ length: 6 }, (_, i) => [
      { klass, name: `児童 ${i}`, addresses: [`p${i}@example.jp`] },
    ]),
  );
  const teacher = await createStaff(db, district.id, 'teacher', '2年1組 担任 田中', school.id);
  await assignClass(db, teacher.id, klass.id);
  cookie = await sessionCookie(db, teacher.id);
  ({ messageId, deliveryOf } = await sendSafetyCheck(db, district.id, board.id));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await recorder?.close();
  await web?.close();
  await database?.drop();
});

it('shows a tap on the dashboard and an action-needed answer on the call list, live', async () => {
  const dashboard = await phonePage();
  await dashboard.goto(`${base}/staff/messages/${messageId}`, { waitUntil: 'networkidle' });
  expect(await dashboard.getByTestId('confirm-confirmed').textContent()).toBe('0');
  expect(await dashboard.getByTestId('confirm-unconfirmed').textContent()).toBe('6');

  await tap('p0@example.jp', 1);
  await dashboard.getByTestId('confirm-confirmed').filter({ hasText: /^1$/ }).waitFor();
  expect(await dashboard.getByTestId('confirm-unconfirmed').textContent()).toBe('5');
  expect(await dashboard.getByTestId('answer-1').textContent()).toBe('1');
  expect(await dashboard.getByTestId('confirm-rate').textContent()).toBe('16.6%');
  expect(await dashboard.content()).not.toContain('@example.jp');

  const callList = await phonePage();
  await callList.goto(`${base}/staff/messages/${messageId}/call-list`);
  await callList.locator('h1[data-live=ready]').waitFor();
  expect(await callList.getByTestId('action-needed').count()).toBe(0);
  await tap('p3@example.jp', 2);
  const section = callList.getByTestId('action-needed');
  await section.waitFor({ timeout: 10_000 });
  expect(await section.textContent()).toContain('児童 3');
  expect(await section.textContent()).toContain('回答: けががあります');
  await dashboard.getByTestId('answer-2').filter({ hasText: /^1$/ }).waitFor();
});
