import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { PASSWORD, signedIn, startAdminWorld, type AdminWorld } from '../admin/support';

// A school admin in a real browser: rotates the school's auth code, opens 操作記録 from the
// staff menu, filters by the action and finds the row with their own name.

let world: AdminWorld;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  world = await startAdminWorld();
  // Another school's event, which the admin must not see whatever the filter.
  const other = await signedIn(world, 'admin.aoba');
  await other.post('/staff/school/codes?/rotateSchool', { confirm: 'yes' });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('the audit trail in the browser', () => {
  it('lets a school admin filter by action and see their own row', async () => {
    await page.goto(`${world.base}/staff/login`);
    await page.fill('#login', 'admin.wakakusa');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${world.base}/staff`);
    await page.goto(`${world.base}/staff/school/codes`);
    await page.getByLabel('変更すると、配布済みの登録手順書').check();
    await page.getByRole('button', { name: '新しいコードに変更する' }).click();
    await page.getByText('認証コードを変更しました').waitFor();

    await page.getByRole('link', { name: '操作記録' }).click();
    await page.waitForURL(`${world.base}/staff/audit`);
    await page.selectOption('#action', 'auth_code.rotate');
    await page.getByRole('button', { name: '表示する' }).click();
    await page.waitForURL(/\/staff\/audit\?.*action=auth_code\.rotate/);
    const rows = page.locator('tr[data-action]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    const row = (await rows.first().textContent()) ?? '';
    expect(row).toContain('学校の認証コードの再発行');
    expect(row).toContain('admin.wakakusa 先生');
    expect(row).toContain('若草小学校');
    expect(await page.locator('main').textContent()).not.toContain('admin.aoba');
  });
});
