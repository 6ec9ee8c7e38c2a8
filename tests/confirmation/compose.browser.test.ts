import { eq } from 'drizzle-orm';
import { schema } from '@renraku/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { PASSWORD, startSendWorld, type SendWorld } from '../send/harness';

// 「確認を求める」 in the browser: the box follows the category as it is chosen until the
// sender ticks it, the own choices with 要電話 and the deadline reach the confirm step, and
// 修正する keeps what the sender chose.

let world: SendWorld;

beforeAll(async () => {
  world = await startSendWorld();
});

afterAll(async () => {
  await world?.close();
});

it('follows the category until touched, and sends the own choices shown on the confirm step', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${world.base}/staff/login`);
    await page.fill('input[name="login"]', world.staff.adminA.login);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${world.base}/staff`);
    // The box follows the category once the page's scripts run.
    await page.goto(`${world.base}/staff/messages/new`, { waitUntil: 'networkidle' });

    const box = page.getByLabel('確認を求める');
    await expect.poll(() => box.isChecked()).toBe(true);
    await page.getByLabel(/教育情報/).check();
    await expect.poll(() => box.isChecked()).toBe(false);
    await page.getByLabel(/緊急情報/).check();
    await expect.poll(() => box.isChecked()).toBe(true);
    await page.getByLabel(/教育情報/).check();
    await expect.poll(() => box.isChecked()).toBe(false);
    // Touched: the sender's tick stays, whatever the category.
    await box.check();
    await page.getByLabel(/緊急連絡/).check();
    await page.getByLabel(/教育情報/).check();
    expect(await box.isChecked()).toBe(true);

    await page.getByLabel(/自由記述/).check();
    await page.getByLabel('選択肢1', { exact: true }).fill('出席します');
    await page.getByLabel('選択肢2', { exact: true }).fill('欠席します');
    await page.getByLabel('要電話').nth(1).check();
    await page.fill('#compose-confirm-deadline', '45');
    await page.getByLabel('学級を選ぶ').check();
    await page.getByLabel('1年1組').check();
    await page.fill('#compose-subject', '保護者会のお知らせ');
    await page.fill('#compose-body', '来週の保護者会への出欠をお知らせください。');
    await page.getByRole('button', { name: '確認へ' }).click();

    const asks = page.getByTestId('confirm-asks');
    await expect.poll(() => asks.textContent()).toContain('欠席します（要電話）');
    expect(await asks.textContent()).toContain('確認しました');
    expect(await asks.textContent()).toContain('締切：送信から45分');

    await page.getByRole('button', { name: '修正する' }).click();
    await expect
      .poll(() => page.getByLabel('選択肢2', { exact: true }).inputValue())
      .toBe('欠席します');
    expect(await page.getByLabel('確認を求める').isChecked()).toBe(true);
    expect(await page.getByLabel('要電話').nth(1).isChecked()).toBe(true);
    await page.getByRole('button', { name: '確認へ' }).click();
    await expect.poll(() => asks.textContent()).toContain('欠席します（要電話）');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(/\/staff\/messages\/\d+$/);

    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const [row] = await world.db
      .select({ confirm: schema.messages.confirm })
      .from(schema.messages)
      .where(eq(schema.messages.id, id));
    expect(row?.confirm).toEqual({
      preset: 'custom',
      choices: ['出席します', '欠席します'],
      needsCall: [2],
      deadlineMinutes: 45,
    });
  } finally {
    await browser.close();
  }
});
