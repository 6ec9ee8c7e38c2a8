import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { addFamilies, createClass, createSchool, sendMessage } from '../dispatch/fixtures';
import { launchBrowser, PHONE_VIEWPORT } from '../support/browser';
import {
  assignClass,
  districtWithBoard,
  signedInStaff,
  startTestWeb,
  type RunningWeb,
} from './harness';

// The call list on paper and on a phone, in Chromium as a school's PC or a teacher's phone shows
// it: printed to A4, every page says which message (title and date) and which page it is, with
// the print time and boxes to tick; at 390 px nothing runs off the side of the screen.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let browser: Browser;
let fontDir: string;
let messageId: number;
let createdAt: string;
let boardCookie: string;
let teacherCookie: string;

const SUBJECT = 'Typhoon 臨時休校のお知らせ';
/** The latin part of the subject: this machine's Chromium may lack a Japanese font for the rest. */
const SUBJECT_LATIN = 'Typhoon';

/** A browser context signed in as a staff member (the session cookie a login sets). */
async function signedIn(cookie: string, viewport = { width: 1280, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ viewport });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  return context;
}

/** Every page's text as a reader of the PDF gets it. */
async function pdfPages(pdf: Buffer): Promise<string[]> {
  const document = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
  const pages = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const content = await (await document.getPage(number)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  return pages;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database));
  const { district, staff: board, cookie } = await districtWithBoard(db);
  boardCookie = cookie;
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const big = await createClass(db, schoolA, 2, '1組');
  const small = await createClass(db, schoolB, 5, '3組');
  // Enough households for one class's table to run over two A4 pages.
  await addFamilies(db, [
    ...Array.from({ length: 70 }, (_, i) => [
      { klass: big, name: `児童 ${String(i).padStart(2, '0')}`, addresses: [] },
    ]),
    ...Array.from({ length: 3 }, (_, i) => [{ klass: small, name: `生徒 ${i}`, addresses: [] }]),
  ]);
  const teacher = await signedInStaff(db, district.id, 'teacher', '担任 田中', schoolA.id);
  await assignClass(db, teacher.staff.id, big.id);
  teacherCookie = teacher.cookie;
  messageId = (
    await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      subject: SUBJECT,
      target: { kind: 'district' },
    })
  ).id;
  const [message] = await db.select().from(schema.messages);
  createdAt = message!.createdAt.toISOString();

  // The Japanese font the app already ships (for the registration sheets), so that printed
  // Japanese is real text here as on a school's PC, not boxes.
  const require = createRequire(new URL('../../apps/web/package.json', import.meta.url));
  fontDir = mkdtempSync(join(tmpdir(), 'renraku-fonts-'));
  const fonts = dirname(
    require.resolve('@expo-google-fonts/biz-udpgothic/400Regular/BIZUDPGothic_400Regular.ttf'),
  );
  writeFileSync(
    join(fontDir, 'fonts.conf'),
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>${fonts}</dir>
<cachedir>${fontDir}</cachedir></fontconfig>`,
  );
  browser = await launchBrowser({ FONTCONFIG_FILE: join(fontDir, 'fonts.conf') });
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await database?.drop();
  if (fontDir) rmSync(fontDir, { recursive: true, force: true });
});

describe('the printed call list', () => {
  it('repeats the title, the date and the page number on every A4 page, with the print time', async () => {
    const context = await signedIn(boardCookie);
    const page = await context.newPage();
    await page.goto(`${base}/staff/messages/${messageId}/call-list`, { waitUntil: 'networkidle' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = await pdfPages(pdf);
    // 70 households of 2年1組 need two pages; 5年3組 starts a page of its own.
    expect(pages.length).toBeGreaterThanOrEqual(3);
    // The message's time as staff read it: Japan's time, month/day hour:minute.
    const date = new Intl.DateTimeFormat('ja-JP', {
      timeZone: 'Asia/Tokyo',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    })
      .format(new Date(createdAt))
      .replace(/\s/g, '');
    for (const [index, text] of pages.entries()) {
      const flat = text.replace(/\s/g, '');
      expect(flat, `page ${index + 1}`).toContain(SUBJECT_LATIN);
      expect(flat, `page ${index + 1}`).toContain(date);
      expect(flat, `page ${index + 1}`).toContain(`${index + 1}/${pages.length}`);
      expect(flat, `page ${index + 1}`).toMatch(/印刷\d{1,2}\/\d{1,2}\d{2}:\d{2}/);
    }
    // The class is named on the pages its table runs onto, not only on the first.
    expect(pages[1]!.replace(/\s/g, '')).toContain('2年1組');
    await context.close();
  });

  it('prints boxes to tick in 対応状況 and none of the screen’s buttons', async () => {
    const context = await signedIn(boardCookie);
    const page = await context.newPage();
    await page.goto(`${base}/staff/messages/${messageId}/call-list`, { waitUntil: 'networkidle' });
    await page.emulateMedia({ media: 'print' });
    const row = page.locator('tr[data-household]').first();
    const ticks = row.locator('.ticks li');
    expect(await ticks.allTextContents()).toEqual([
      '□ 電話中',
      '□ 連絡済み',
      '□ 不在',
      '□ 伝言済み',
    ]);
    expect(await ticks.first().isVisible()).toBe(true);
    expect(await row.getByRole('button').first().isVisible()).toBe(false);
    // Each class's table heads every page with the message, so thead repeats.
    const heads = page.locator('thead');
    expect(await heads.count()).toBe(2);
    for (const head of await heads.all()) {
      expect(
        await head.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).display),
      ).toBe('table-header-group');
      const heading = head.locator('.print-heading');
      expect(await heading.isVisible()).toBe(true);
      expect(await heading.textContent()).toContain(SUBJECT);
    }
    // On screen, the print heading and the boxes stay out of the way.
    await page.emulateMedia({ media: 'screen' });
    expect(await row.locator('.ticks').isVisible()).toBe(false);
    expect(await page.locator('.print-heading').first().isVisible()).toBe(false);
    await context.close();
  });
});

describe('the board’s school filter with JavaScript on', () => {
  it('narrows the list to the chosen school and back to every school', async () => {
    const context = await signedIn(boardCookie);
    const page = await context.newPage();
    await page.goto(`${base}/staff/messages/${messageId}/call-list`, { waitUntil: 'networkidle' });
    const headings = () => page.locator('section.group h2').allTextContents();
    expect(await headings()).toHaveLength(2);
    await page.selectOption('#call-list-school', { label: 'みなと第二小学校（3）' });
    await page.getByRole('button', { name: '表示' }).click();
    await page.waitForURL(/\?school=\d+$/);
    await page.locator('tr[data-household]').nth(2).waitFor();
    expect(await headings()).toEqual(['みなと第二小学校 5年3組（3）']);
    expect(await page.locator('tr[data-household]').count()).toBe(3);
    await page.selectOption('#call-list-school', { label: 'すべての学校' });
    await page.getByRole('button', { name: '表示' }).click();
    await page.locator('tr[data-household]').nth(72).waitFor();
    expect(await headings()).toHaveLength(2);
    await context.close();
  });
});

describe('the call list on a 390 px phone', () => {
  for (const [who, cookie] of [
    ['the board (with the school filter)', () => boardCookie],
    ['a teacher', () => teacherCookie],
  ] as const) {
    it(`fits the screen for ${who}: no sideways scrolling, phones and buttons in reach`, async () => {
      const context = await signedIn(cookie(), PHONE_VIEWPORT);
      const page = await context.newPage();
      await page.goto(`${base}/staff/messages/${messageId}/call-list`, {
        waitUntil: 'networkidle',
      });
      const width = await page.locator('html').evaluate((html) => ({
        scroll: html.scrollWidth,
        client: html.clientWidth,
      }));
      expect(width.client).toBe(PHONE_VIEWPORT.width);
      expect(width.scroll).toBeLessThanOrEqual(width.client);
      const row = page.locator('tr[data-household]').first();
      const phone = row.locator('a[href^="tel:"]');
      expect(await phone.isVisible()).toBe(true);
      // Readable, not squeezed into four narrow columns: a phone number and a reason each
      // stay on one line (an inline box broken over lines has a rectangle per line).
      expect(await phone.evaluate((el) => el.getClientRects().length)).toBe(1);
      const reason = row.locator('.reason-label');
      expect(await reason.textContent()).toBe('未登録');
      expect(await reason.evaluate((el) => el.getClientRects().length)).toBe(1);
      const box = (await row.getByRole('button', { name: '電話中' }).boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      await context.close();
    });
  }
});
