import { eq } from 'drizzle-orm';
import { schema } from '@renraku/db';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { pdfBytes, pngBytes } from '../support/files';
import { PASSWORD, startSendWorld, type SendWorld } from '../send/harness';

// A school admin attaches a PDF to a message in Chromium with JavaScript off (the form's own
// multipart post), confirms, sends, and finds the attachment on the message's dashboard; with
// JavaScript, an upload survives a refused field once.

let world: SendWorld;

/** Signs the school admin in and opens a 教育情報 to class 1-1 on the compose page. */
async function openCompose(page: Page): Promise<void> {
  await page.goto(`${world.base}/staff/login`);
  await page.fill('input[name="login"]', world.staff.adminA.login);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${world.base}/staff`);
  await page.goto(`${world.base}/staff/messages/new`);
  await page.getByLabel(/教育情報/).check();
  await page.getByLabel('学級を選ぶ').check();
  await page.getByLabel('1年1組').check();
}

beforeAll(async () => {
  world = await startSendWorld();
});

afterAll(async () => {
  await world?.close();
});

it('attaches a PDF without JavaScript, confirms, sends, and the dashboard lists it', async () => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await openCompose(page);
    await page.fill('#compose-subject', '遠足のしおり');
    await page.fill('#compose-body', '遠足のしおりを添付します。');
    await page.setInputFiles('input[type="file"][name="files"]', {
      name: '遠足のしおり.pdf',
      mimeType: 'application/pdf',
      buffer: pdfBytes(),
    });
    await page.getByRole('button', { name: '確認へ' }).click();

    await expect
      .poll(() => page.getByTestId('confirm-attachments').textContent())
      .toContain('遠足のしおり.pdf（PDF, 1 KB）');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(/\/staff\/messages\/\d+$/);

    const listed = page.getByTestId('attachment');
    expect(await listed.count()).toBe(1);
    expect(await listed.textContent()).toContain('遠足のしおり.pdf');
    expect(await listed.textContent()).toContain('PDF, 1 KB');
    expect(await page.getByTestId('attachment-downloads').textContent()).toBe('0回表示');
    // The dashboard's link opens the very file.
    const href = await listed.getByRole('link').getAttribute('href');
    const file = await context.request.get(`${world.base}${href}`);
    expect(file.status()).toBe(200);
    expect(Buffer.from(await file.body()).equals(pdfBytes())).toBe(true);
  } finally {
    await browser.close();
  }
});

it('with JavaScript, keeps an upload through a refused field without posting it twice', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await openCompose(page);
    await page.fill('#compose-body', '会場の地図です。');
    await page.setInputFiles('input[type="file"][name="files"]', {
      name: '会場.png',
      mimeType: 'image/png',
      buffer: await pngBytes(),
    });
    // No subject: refused, the photo kept as stored and the file input emptied.
    await page.getByRole('button', { name: '確認へ' }).click();
    await expect
      .poll(() => page.getByTestId('kept-attachment').textContent())
      .toContain('会場.png');
    expect(await page.locator('input[name="files"]').inputValue()).toBe('');
    await page.fill('#compose-subject', '会場のご案内');
    await page.getByRole('button', { name: '確認へ' }).click();
    await expect
      .poll(() => page.getByTestId('confirm-attachments').textContent())
      .toContain('会場.png（PNG');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(/\/staff\/messages\/\d+$/);
    expect(await page.getByTestId('attachment').count()).toBe(1);
    const stored = await world.db
      .select({ id: schema.attachments.id })
      .from(schema.attachments)
      .where(eq(schema.attachments.fileName, '会場.png'));
    expect(stored).toHaveLength(1);
  } finally {
    await browser.close();
  }
});
