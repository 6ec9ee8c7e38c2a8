import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { csvText } from '../roster/fixtures';
import { PASSWORD, startAdminWorld, type AdminWorld } from './support';

// The school admin's April in a real browser: log in, import the roster (preview, then
// import), change the auth code, and open the registration sheets' print page.

let world: AdminWorld;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  world = await startAdminWorld();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('the school admin in the browser', () => {
  it('imports a roster, rotates the auth code and prints the registration sheets', async () => {
    await page.goto(`${world.base}/staff/login`);
    await page.fill('#login', 'admin.wakakusa');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${world.base}/staff`);
    await page.getByRole('link', { name: '学校管理' }).click();
    await page.waitForURL(`${world.base}/staff/school`);

    const csv = csvText([
      ['学籍番号', '学年', '組', '氏名', 'ふりがな', '世帯番号', '電話1'],
      ['A101', '2', '1組', '川村 さくら', 'カワムラ サクラ', 'K1', '0144-33-2222'],
      ['A102', '4', '2組', '川村 はると', 'カワムラ ハルト', 'K1', '0144-33-2222'],
    ]);
    await page.setInputFiles('#roster-file', {
      name: '名簿.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByRole('button', { name: '内容を確認する（まだ取り込みません）' }).click();
    const preview = page.locator('section[aria-labelledby=preview-heading]');
    await preview.waitFor();
    expect(await preview.locator('tr[data-action=new]').count()).toBe(2);
    expect(await preview.textContent()).toContain('川村 はると');

    await page.getByRole('button', { name: '取り込む', exact: true }).click();
    await page.getByText('名簿を取り込みました（新規 2').waitFor();
    await page.locator('table.roster', { hasText: 'カワムラ サクラ' }).waitFor();

    await page.getByRole('link', { name: '認証コード' }).click();
    const codeBox = page.getByTestId('school-auth-code');
    const before = (await codeBox.textContent())?.trim();
    expect(before).toBe(world.school.authCode);
    await page.getByLabel('変更すると、配布済みの登録手順書').check();
    await page.getByRole('button', { name: '新しいコードに変更する' }).click();
    await page.getByText('認証コードを変更しました').waitFor();
    const after = (await codeBox.textContent())?.trim();
    expect(after).toMatch(/^[A-Z2-9]{8}$/);
    expect(after).not.toBe(before);

    await page.getByRole('status').getByRole('link', { name: '登録手順書' }).click();
    await page.waitForURL(`${world.base}/staff/school/sheets`);
    const sheet = page.locator('article.sheet');
    expect(await sheet.count()).toBe(1);
    expect(await sheet.textContent()).toContain(after!);
    expect(await sheet.textContent()).toContain(world.school.registrationAddress);
    const widths = await page
      .locator('article.sheet img.qr')
      .evaluateAll((images) =>
        images.map((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
      );
    expect(widths).toHaveLength(2);
    for (const width of widths) expect(width).toBeGreaterThan(0);
  });
});
