import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createInProcessBus } from '@renraku/shared/bus';
import { hashPassword } from '@renraku/shared/password';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  startTestDispatcher,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { launchBrowser } from '../support/browser';
import { assignClass, startTestWeb, type RunningWeb } from './harness';

// A teacher's emergency in a real browser: send from the compose page, watch the dashboard
// reach 100 %, open the call list and mark a family "calling" — and the school's vice
// principal, with the same call list open in another browser, sees the mark at once.

const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let db: Db;
let sink: Sink;
let web: RunningWeb;
let base: string;
let browser: Browser;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;

async function logIn(page: Page, login: string): Promise<void> {
  await page.goto(`${base}/staff/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/staff`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink({ delayMs: 5 });
  const bus = createInProcessBus();
  ({ web, base } = await startTestWeb(database, { bus }));
  dispatcher = await startTestDispatcher(db, sink.url, { bus, env: { DISPATCH_BATCH_SIZE: '5' } });

  const district = await createDistrict(db);
  const school = await createSchool(db, district.id, 'みなと第一小学校');
  const klass = await createClass(db, school, 2, '1組');
  await addFamilies(
    db,
    Array.from({ length: 30 }, (_, i) => [
      {
        klass,
        name: `児童 ${String(i).padStart(2, '0')}`,
        addresses: i < 3 ? [] : [i < 5 ? `r550-${i}@example.jp` : `ok-${i}@example.jp`],
      },
    ]),
  );
  const teacher = await createStaff(db, district.id, 'teacher', '2年1組 担任 田中', school.id);
  const admin = await createStaff(db, district.id, 'school_admin', '教頭 鈴木', school.id);
  await assignClass(db, teacher.id, klass.id);
  const passwordHash = await hashPassword(PASSWORD);
  for (const [id, login] of [
    [teacher.id, 'tanaka.teacher'],
    [admin.id, 'suzuki.admin'],
  ] as const) {
    await db
      .update(schema.staffUsers)
      .set({ login, passwordHash })
      .where(eq(schema.staffUsers.id, id));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await dispatcher?.stop();
  await web?.close();
  await sink?.close();
  await database?.drop();
});

it('sends, watches the dashboard reach 100 %, and shares a call-list mark live', async () => {
  const teacherPage = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 } })
  ).newPage();
  await logIn(teacherPage, 'tanaka.teacher');
  await teacherPage.goto(`${base}/staff/messages/new`, { waitUntil: 'networkidle' });
  await teacherPage.check('input[name=category][value=emergency_contact]');
  await teacherPage.fill('#compose-body', '大雨警報のため、本日は臨時休校とします。');
  await teacherPage.locator('#compose-subject').pressSequentially('臨時休校のお知らせ');
  expect(await teacherPage.inputValue('#compose-subject')).toBe('臨時休校のお知らせ');
  await teacherPage.getByRole('button', { name: '確認' }).click();
  await teacherPage.getByRole('button', { name: '送信する' }).click();
  await teacherPage.waitForURL(/\/staff\/messages\/\d+$/);
  const messageUrl = teacherPage.url();

  await teacherPage.getByTestId('percent').filter({ hasText: '100%' }).waitFor({ timeout: 30_000 });
  expect(await teacherPage.getByTestId('total').textContent()).toBe('27');
  expect(await teacherPage.getByTestId('failed').textContent()).toBe('2');
  // The message is settled just after its last status write, so the state may follow a tick later.
  await teacherPage
    .getByTestId('message-state')
    .filter({ hasText: '配信完了' })
    .waitFor({ timeout: 15_000 });
  await teacherPage.getByText('受信拒否 (550)').first().waitFor();
  expect(await teacherPage.content()).not.toContain('@example.jp');

  const adminPage = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 } })
  ).newPage();
  await logIn(adminPage, 'suzuki.admin');
  await adminPage.goto(`${messageUrl}/call-list`);
  await teacherPage.getByRole('link', { name: '電話連絡リストを開く' }).click();
  await teacherPage.waitForURL(`${messageUrl}/call-list`);
  expect(await teacherPage.getByTestId('household-count').textContent()).toBe('5世帯');
  await teacherPage.getByText('学校から電話で連絡してください').waitFor();

  const row = (page: Page) => page.locator('tr', { hasText: '児童 00' });
  // Wait until the admin's page is live, so that the mark can only arrive over the socket.
  await adminPage.locator('h1[data-live=ready]').waitFor();
  await row(teacherPage).getByRole('button', { name: '電話中' }).click();
  await row(teacherPage).getByTestId('mark-status').filter({ hasText: '電話中' }).waitFor();
  const seen = row(adminPage).getByTestId('mark-status');
  await seen.filter({ hasText: '2年1組 担任 田中' }).waitFor({ timeout: 10_000 });
  expect(await seen.textContent()).toContain('電話中');
});
